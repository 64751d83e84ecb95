using System.Text.Json;
using PSContainers.Core.Build.Cache;
using PSContainers.Core.Build.Executor;
using PSContainers.Core.Containers;
using PSContainers.Core.Images;
using PSContainers.Core.Images.Archive;
using PSContainers.Core.Images.Oci;
using PSContainers.Core.Images.Snapshots;

namespace PSContainers.Core.Build;

public sealed partial class BuildService
{
    /// <summary>
    /// docker commit: the container's changes (its overlay upper directory) become a new layer on its image, and its
    /// run settings (command, environment, working directory, user) the new image's defaults, then -Change applies.
    /// A running container is frozen while its changes are read unless pause is off.
    /// </summary>
    public ContainerImage Commit(CommitRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var info = Containers.Get(request.Container);
        if (info.Config.ImageLayers is null || info.Config.ImageId is null)
        {
            throw new ContainerEngineException("CommitNeedsImage",
                $"Container {info.Name} was made from a root filesystem directory, not an image; only containers made from an image can be committed.", ContainerErrorKind.InvalidArgument, request.Container);
        }

        var baseImage = Images.Resolve(info.Config.ImageId);
        var state = new StageState { Config = baseImage.Config, Layers = [], Key = "" }.Clone();
        var chain = SnapshotStore.ChainIds(baseImage.DiffIds);
        for (var i = 0; i < chain.Count; i++)
        {
            var descriptor = baseImage.Manifest.Layers[i];
            state.Layers.Add(new BuildLayer { DiffId = baseImage.Config.RootFs.DiffIds[i], ChainId = chain[i].ToString(), Blob = descriptor.Digest, MediaType = descriptor.MediaType, BlobSize = descriptor.Size });
        }

        ApplyContainerConfig(state.Run, info.Config);
        if (request.Config is not null)
        {
            MergeConfig(state.Run, request.Config);
        }

        ImageChanges.Apply(state.Run, request.Changes);

        using var lease = Images.AcquireLease(cancellationToken);
        var paused = false;
        if (request.Pause && info.Status == ContainerStatus.Running)
        {
            Containers.Pause(info.Id);
            paused = true;
        }

        Digest diffId;
        long blobSize;
        try
        {
            using var writer = Images.Content.OpenWriter();
            // A mapped container's upper directory holds host ids: the layer gets the container's own.
            LayerTarWriter.Write(Containers.Paths.UpperDir(info.Id), writer, info.Config.UidMappings, info.Config.GidMappings, cancellationToken);
            blobSize = writer.Length;
            diffId = writer.Commit();
        }
        finally
        {
            if (paused)
            {
                Containers.Resume(info.Id);
            }
        }

        // The container keeps its upper directory, so the snapshot is unpacked from the blob just written.
        var chainId = SnapshotStore.ChainId(chain.Count == 0 ? null : chain[^1], diffId);
        if (!Images.Snapshots.Exists(chainId))
        {
            var (temp, lockFd) = Images.Snapshots.BeginTemp();
            try
            {
                LayerUnpackResult result;
                using (var blob = Images.Content.OpenRead(diffId))
                {
                    result = LayerUnpacker.Unpack(blob, Path.Combine(temp, "fs"), diffId, diffId, _log, null, cancellationToken);
                }

                Images.Snapshots.Commit(temp, chainId, new SnapshotInfo
                {
                    ChainId = chainId.ToString(), DiffId = diffId.ToString(), Blob = diffId.ToString(), Size = result.Size, Entries = result.Entries, TarSize = result.TarBytes,
                    Created = DateTimeOffset.UtcNow,
                });
            }
            finally
            {
                Images.Snapshots.EndTemp(temp, lockFd);
            }
        }

        state.Layers.Add(new BuildLayer { DiffId = diffId.ToString(), ChainId = chainId.ToString(), Blob = diffId.ToString(), MediaType = MediaTypes.OciLayer, BlobSize = blobSize });
        state.Config.RootFs.DiffIds.Add(diffId.ToString());
        var now = DateTimeOffset.UtcNow;
        state.Config.Created = now;
        if (request.Author is not null)
        {
            state.Config.Author = request.Author;
        }

        (state.Config.History ??= []).Add(new ImageHistoryEntry { Created = now, Author = request.Author, Comment = request.Message, CreatedBy = CommandText(info.Config.Command) });
        var image = Store(state, request.Tags, cancellationToken);
        // docker's container event "commit": the new image's id and first name, the comment and author.
        Containers.RecordEvent(info.Id, "commit", ("imageID", image.Id), ("imageRef", request.Tags.FirstOrDefault() ?? ""), ("comment", request.Message ?? ""), ("author", request.Author ?? ""));
        return image;
    }

    /// <summary>docker commit's Config over the container's settings: set fields replace, keyed ones merge, as docker's daemon merges them.</summary>
    private static void MergeConfig(ImageRunConfig run, ImageRunConfig config)
    {
        run.User = config.User ?? run.User;
        run.WorkingDir = config.WorkingDir ?? run.WorkingDir;
        run.StopSignal = config.StopSignal ?? run.StopSignal;
        run.Entrypoint = config.Entrypoint ?? run.Entrypoint;
        run.Cmd = config.Cmd ?? run.Cmd;
        run.Healthcheck = config.Healthcheck ?? run.Healthcheck;
        run.OnBuild = config.OnBuild ?? run.OnBuild;
        run.Shell = config.Shell ?? run.Shell;
        if (config.Env is not null)
        {
            run.Env ??= [];
            foreach (var pair in config.Env)
            {
                var name = pair.Split('=', 2)[0];
                run.Env.RemoveAll(e => e.Split('=', 2)[0] == name);
                run.Env.Add(pair);
            }
        }

        foreach (var (key, value) in config.Labels ?? [])
        {
            (run.Labels ??= [])[key] = value;
        }

        foreach (var (key, value) in config.ExposedPorts ?? [])
        {
            (run.ExposedPorts ??= [])[key] = value;
        }

        foreach (var (key, value) in config.Volumes ?? [])
        {
            (run.Volumes ??= [])[key] = value;
        }
    }

    private static string CommandText(IReadOnlyList<string> command) => string.Join(' ', command);

    /// <summary>The container's run settings as the new image's defaults, as docker commit records them.</summary>
    private static void ApplyContainerConfig(ImageRunConfig run, ContainerCreateRequest container)
    {
        var entrypoint = container.Entrypoint ?? run.Entrypoint ?? [];
        if (container.Entrypoint is not null)
        {
            run.Entrypoint = container.Entrypoint.Count == 0 ? null : container.Entrypoint.ToList();
        }

        var cmd = container.Command.Count >= entrypoint.Count && container.Command.Take(entrypoint.Count).SequenceEqual(entrypoint)
            ? container.Command.Skip(entrypoint.Count).ToList()
            : container.Command.ToList();
        run.Cmd = cmd.Count == 0 ? null : cmd;
        if (container.Environment.Count > 0)
        {
            run.Env = container.Environment.Select(p => $"{p.Key}={p.Value}").ToList();
        }

        if (!string.IsNullOrEmpty(container.WorkingDirectory))
        {
            run.WorkingDir = container.WorkingDirectory;
        }

        if (!string.IsNullOrEmpty(container.User))
        {
            run.User = container.User;
        }
    }
}
