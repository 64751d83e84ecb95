using PSContainers.Api.Images;
using PSContainers.Core.Build.Cache;
using PSContainers.Core.Containers;
using PSContainers.Core.Volumes;

namespace PSContainers.Api.Endpoints;

/// <summary>GET /system/df: images, containers, volumes and build cache with their sizes, in API 1.47's shape (docker system df [-v]).</summary>
internal static class SystemDfEndpoints
{
    public static IEndpointRouteBuilder MapSystemDf(this IEndpointRouteBuilder app)
    {
        app.MapGet("/system/df", DiskUsage);
        return app;
    }

    private static IResult DiskUsage(HttpContext context, EngineServices engine)
    {
        var types = context.Request.Query["type"].Where(t => !string.IsNullOrEmpty(t)).Select(t => t!).ToHashSet(StringComparer.Ordinal);
        foreach (var type in types)
        {
            if (type is not ("container" or "image" or "volume" or "build-cache"))
            {
                throw ApiException.BadRequest($"invalid type '{type}': expected container, image, volume or build-cache");
            }
        }

        bool Wants(string type) => types.Count == 0 || types.Contains(type);
        var images = engine.Images;
        var usage = Wants("image") ? images.DiskUsage() : [];
        var layers = usage.FirstOrDefault(u => u.Type == "Images")?.Size ?? 0;
        var containers = new ContainerService(engine.Paths, engine.Loggers.CreateLogger("Containers"));
        return ApiResults.Json(new
        {
            LayersSize = layers,
            Images = Wants("image") ? images.List().Select(ImageShapes.Summary).ToList() : null,
            Containers = Wants("container") ? containers.List(all: true).Select(c => Container(c, SizeOf(containers, c.Id))).ToList() : null,
            Volumes = Wants("volume") ? Volumes(engine) : null,
            BuildCache = Wants("build-cache") ? new BuildCache(engine.Paths).List().Select(CacheItem).ToList() : null,
        });
    }

    /// <summary>A container's sizes; zero for one removed since it was listed (an auto-removed container that just exited).</summary>
    private static ContainerSize SizeOf(IContainerService containers, string id)
    {
        try
        {
            return containers.Size(id);
        }
        catch (ContainerEngineException e) when (e.Kind == ContainerErrorKind.NotFound)
        {
            return new ContainerSize(0, 0);
        }
    }

    private static object Container(ContainerInfo container, ContainerSize size) => new
    {
        container.Id,
        Names = new[] { "/" + container.Name },
        Image = container.Image ?? "",
        ImageID = container.ImageId ?? "",
        Command = string.Join(' ', container.Command),
        Created = container.Created.ToUnixTimeSeconds(),
        State = container.Status.ToString().ToLowerInvariant(),
        Status = container.StatusText,
        // The container's writable layer (its overlay upper directory), and that with its image's layers.
        SizeRw = size.Writable,
        SizeRootFs = size.RootFs,
        Labels = container.Labels,
        Mounts = container.Mounts.Select(m => new { Name = m.Name ?? "", Source = m.Source, Destination = m.Destination, Type = m.Type }).ToList(),
    };

    private static List<object> Volumes(EngineServices engine)
    {
        var service = new VolumeService(engine.Paths, engine.Loggers.CreateLogger("Volumes"));
        return service.List().Select(v => VolumesEndpoints.Volume(v, new { Size = FileBytes(v.Mountpoint), RefCount = (long)v.UsedBy.Count })).ToList();
    }

    private static object CacheItem(BuildCacheEntry entry) => new
    {
        ID = entry.Key.Length > 12 ? entry.Key[..12] : entry.Key,
        Parents = Array.Empty<string>(),
        Type = "regular",
        Description = entry.CreatedBy,
        InUse = false,
        Shared = false,
        Size = entry.LayerSize,
        CreatedAt = ImageShapes.Time(entry.Created),
        LastUsedAt = ImageShapes.Time(entry.LastUsed),
        UsageCount = 1,
    };

    /// <summary>The bytes of the regular files below a directory, not following links; 0 when it is gone.</summary>
    private static long FileBytes(string dir)
    {
        if (!Directory.Exists(dir))
        {
            return 0;
        }

        long total = 0;
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true };
        foreach (var file in new DirectoryInfo(dir).EnumerateFiles("*", options))
        {
            total += file.Length;
        }

        return total;
    }
}
