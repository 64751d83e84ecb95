using System.Globalization;
using System.Net.Http.Headers;
using PSContainers.Core.Build.Cache;
using PSContainers.Core.Build.Context;
using PSContainers.Core.Build.Instructions;
using PSContainers.Core.Containers;
using PSContainers.Core.Images;
using PSContainers.Core.Images.Archive;
using PSContainers.Native;
using PSContainers.Runtime.Paths;

namespace PSContainers.Core.Build.Executor;

internal sealed partial class StageBuilder
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromMinutes(10) };

    /// <param name="writtenDestination">The destination as the Dockerfile writes it (history shows it unexpanded, as podman does).</param>
    private void Copy(CopyInstruction? copy, AddInstruction? add, string writtenDestination, string step, CancellationToken cancellationToken)
    {
        FileCopyInstruction instruction = (FileCopyInstruction?)copy ?? add!;
        var keyword = instruction.Keyword;
        if (add?.Checksum is not null && !add.Sources.All(IsUrl))
        {
            throw new ContainerEngineException("BuildInvalidInstruction", $"{step}: ADD --checksum applies to URL sources only.", ContainerErrorKind.InvalidArgument, step);
        }

        var mode = ParseChmod(instruction.Chmod, step);
        var dest = instruction.Destination;
        if (!dest.StartsWith('/'))
        {
            // Relative to WORKDIR; a trailing "/" keeps its meaning.
            var workdir = string.IsNullOrEmpty(_state.Run.WorkingDir) ? "/" : _state.Run.WorkingDir;
            dest = workdir.TrimEnd('/') + "/" + (dest == "." ? "" : dest.StartsWith("./", StringComparison.Ordinal) ? dest[2..] : dest);
            if (instruction.Destination is "." or "./" || instruction.Destination.EndsWith('/'))
            {
                dest = dest.TrimEnd('/') + "/";
            }
        }

        var temp = Path.Combine(_session.Images.Paths.RunRoot, "build", $"src-{Environment.ProcessId}-{Guid.NewGuid():N}");
        ScratchOverlay? fromView = null;
        try
        {
            // The sources: from the context, a stage or image (--from), heredocs and URLs (fetched into a temporary directory).
            var fromLabel = "";
            SourceTree tree;
            string? fromIdentity = null;
            if (copy?.From is { } from)
            {
                fromLabel = "--from=" + from + " ";
                (var layers, fromIdentity) = LayersOf(from, cancellationToken);
                fromView = ScratchOverlay.Mount(_session.Images, layers, _session.Images.Paths.RunRoot);
                tree = Tree(fromView.Root);
            }
            else
            {
                tree = _session.Context;
            }

            var groups = new List<(SourceTree Tree, List<CopySource> Sources, bool Extract)>();
            var local = new List<CopySource>();
            var fetched = new List<CopySource>();
            var archives = new List<CopySource>();
            foreach (var source in instruction.Sources)
            {
                if (add is not null && IsUrl(source))
                {
                    Directory.CreateDirectory(temp);
                    fetched.Add(Fetch(source, temp, add.Checksum, step, cancellationToken));
                    continue;
                }

                foreach (var resolved in tree.Resolve(source, step))
                {
                    if (add is not null && !resolved.IsDirectory && ArchiveKind(resolved.HostPath, step) is not null)
                    {
                        archives.Add(resolved);
                    }
                    else
                    {
                        local.Add(resolved);
                    }
                }
            }

            foreach (var heredoc in instruction.Heredocs)
            {
                Directory.CreateDirectory(temp);
                var file = Path.Combine(temp, heredoc.Name);
                File.WriteAllText(file, _vars.ExpandHeredoc(heredoc, instruction.Line));
                File.SetUnixFileMode(file, (UnixFileMode)0x1A4);
                fetched.Add(new CopySource(file, heredoc.Name, false));
            }

            if (local.Count > 0)
            {
                groups.Add((tree, local, false));
            }

            if (fetched.Count > 0)
            {
                groups.Add((Tree(temp), fetched, false));
            }

            if (archives.Count > 0)
            {
                groups.Add((tree, archives, true));
            }

            var total = groups.Sum(g => g.Sources.Count);
            var exclude = ExcludeMatcher(instruction.Exclude);
            // Files from a stage or an image keep their owners unless --chown; context files become 0:0.
            var options = new FileCopier.Options(0, 0, false, mode, exclude) { KeepOwner = copy?.From is not null };
            string checksum;
            if (fromIdentity is not null && fetched.Count == 0)
            {
                // A stage or image is named by its key or id: the same key is the same content, so nothing is read.
                checksum = fromIdentity + " " + string.Join(' ', local.Concat(archives).Select(s => s.RelativePath));
            }
            else
            {
                checksum = string.Join(' ', groups.Select(g => FileCopier.Checksum(g.Tree, g.Sources, options, cancellationToken)));
            }

            var kind = total > 1 ? "multi" : groups.SelectMany(g => g.Sources).First().IsDirectory ? "dir" : "file";
            var hash = Digest.Compute(System.Text.Encoding.UTF8.GetBytes(checksum)).Hex;
            // podman's created_by leaves --from out; the key keeps it.
            var createdBy = $"/bin/sh -c #(nop) {keyword} {kind}:{hash} in {writtenDestination} ";
            if (add is not null && local.Count == 0 && archives.Count == 0 && instruction.Heredocs.Count == 0 && fetched.Count == 1)
            {
                // ADD of a URL: podman writes the sha256 of what it fetched, without a kind.
                using var fetchedFile = File.OpenRead(fetched[0].HostPath);
                createdBy = $"/bin/sh -c #(nop) {keyword} {Digest.Compute(fetchedFile).Hex} in {writtenDestination} ";
            }
            var keyText = $"{keyword} chown={instruction.Chown} chmod={instruction.Chmod} link={instruction.Link} exclude={string.Join(',', instruction.Exclude)} {fromLabel}"
                + string.Join(' ', instruction.Sources) + " heredocs=" + string.Join(',', instruction.Heredocs.Select(h => h.Name)) + " -> " + dest;
            var key = BuildCache.Key(_state.Key, keyText, [], checksum);
            if (TryCached(key, step))
            {
                return;
            }

            using var overlay = ScratchOverlay.Mount(_session.Images, _state.Layers, _session.Images.Paths.RunRoot);
            if (instruction.Chown is { Length: > 0 } chown)
            {
                var (uid, gid) = ResolveChown(overlay.Root, chown, step);
                options = options with { Uid = uid, Gid = gid, Chown = true };
            }

            foreach (var (groupTree, sources, extract) in groups)
            {
                if (!extract)
                {
                    FileCopier.Copy(groupTree, sources, overlay.Root, dest, options, step, cancellationToken, total);
                    continue;
                }

                foreach (var archive in sources)
                {
                    Extract(archive.HostPath, overlay.Root, dest, options, step, cancellationToken);
                }
            }

            var (snapshot, lockFd) = overlay.Finish();
            CommitLayer(snapshot, lockFd, key, createdBy, step, cancellationToken);
        }
        finally
        {
            fromView?.Dispose();
            if (Directory.Exists(temp))
            {
                Directory.Delete(temp, recursive: true);
            }
        }
    }

    /// <summary>The layers and the identity (cache key or image id) of a COPY --from source: an earlier stage by name or index, else an image.</summary>
    internal (List<BuildLayer> Layers, string Identity) LayersOf(string from, CancellationToken cancellationToken)
    {
        if (_session.Model.FindStage(from) is { } stage)
        {
            if (stage.Index >= _stage.Index)
            {
                throw new ContainerEngineException("BuildInvalidInstruction", $"COPY --from={from}: a stage can copy only from the stages before it.", ContainerErrorKind.InvalidArgument, from);
            }

            var state = _session.AwaitStage(stage.Index);
            return (state.Layers, "stage " + state.Key);
        }

        var image = ResolveImage(from, cancellationToken);
        var chain = SnapshotStoreChain(image.Config.RootFs.DiffIds);
        return (chain.Select(c => new BuildLayer { ChainId = c }).ToList(), "image " + image.Record.Config);
    }

    private static bool IsUrl(string source) =>
        source.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || source.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

    /// <summary>ADD URL: fetched into dir under the URL's last path segment, mode 0600 and the server's Last-Modified, as docker does.</summary>
    private static CopySource Fetch(string url, string dir, string? checksum, string step, CancellationToken cancellationToken)
    {
        var uri = new Uri(url);
        var name = Path.GetFileName(uri.AbsolutePath.TrimEnd('/'));
        if (string.IsNullOrEmpty(name))
        {
            name = "__unnamed__";
        }

        var file = Path.Combine(dir, name);
        try
        {
            using var response = Http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken).GetAwaiter().GetResult();
            if (!response.IsSuccessStatusCode)
            {
                throw new ContainerEngineException("BuildFetchFailed", $"{step}: GET {url} answered {(int)response.StatusCode} {response.ReasonPhrase}.", ContainerErrorKind.OperationFailed, url);
            }

            using (var output = File.Create(file))
            {
                response.Content.ReadAsStream(cancellationToken).CopyTo(output);
            }

            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            if (response.Content.Headers.LastModified is { } modified)
            {
                File.SetLastWriteTimeUtc(file, modified.UtcDateTime);
            }
        }
        catch (HttpRequestException e)
        {
            throw new ContainerEngineException("BuildFetchFailed", $"{step}: cannot fetch {url}: {e.Message}", ContainerErrorKind.Unavailable, url, e);
        }

        if (checksum is not null)
        {
            using var stream = File.OpenRead(file);
            var actual = Digest.Compute(stream, checksum.StartsWith("sha512:", StringComparison.Ordinal) ? Digest.Sha512 : Digest.Sha256);
            if (actual.ToString() != checksum)
            {
                throw new ContainerEngineException("DigestMismatch", $"{step}: {url} has the digest {actual}, not {checksum}.", ContainerErrorKind.OperationFailed, url);
            }
        }

        return new CopySource(file, name, false);
    }

    /// <summary>The compression of a local tar ADD extracts, or null when the file is not an archive (it is then copied).</summary>
    private static string? ArchiveKind(string path, string step)
    {
        Span<byte> head = stackalloc byte[512];
        int read;
        using (var file = File.OpenRead(path))
        {
            read = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }

        head = head[..read];
        var kind = ContextArchive.Compression(head) ?? (read >= 262 && head.Slice(257, 5).SequenceEqual("ustar"u8) ? "tar" : null);
        if (kind is "gzip" or "zstd" or "bzip2" or "xz")
        {
            // A compressed file that is not a tar inside is copied as it is, as docker does.
            using var stream = File.OpenRead(path);
            using var decoded = ContextArchive.Decompress(kind, stream);
            var inner = new byte[512];
            var n = decoded.ReadAtLeast(inner, inner.Length, throwOnEndOfStream: false);
            if (n < 262 || !inner.AsSpan(257, 5).SequenceEqual("ustar"u8))
            {
                return null;
            }
        }

        return kind;
    }

    private void Extract(string archive, string root, string dest, FileCopier.Options options, string step, CancellationToken cancellationToken)
    {
        var existed = Directory.Exists(SecurePath.Resolve(root, dest));
        var target = SecurePath.MkdirAll(root, dest, (UnixFileMode)0x1ED);
        if (!existed && options.Chown)
        {
            // The directory ADD makes for the archive belongs to --chown, as podman makes it.
            Libc.Check(Libc.Chown(target, options.Uid, options.Gid), "chown", target);
        }

        using var stream = File.OpenRead(archive);
        // The layer reader knows plain, gzip and zstd tars; bzip2 and xz are decoded here first.
        var kind = ArchiveKind(archive, step);
        using var decoded = kind is "bzip2" or "xz" ? ContextArchive.Decompress(kind, stream) : stream;
        LayerUnpacker.Unpack(decoded, target, null, null, _session.Log, null, cancellationToken);
    }

    private static uint? ParseChmod(string? chmod, string step)
    {
        if (string.IsNullOrEmpty(chmod))
        {
            return null;
        }

        try
        {
            var mode = Convert.ToUInt32(chmod, 8);
            if (mode <= 0xFFF)
            {
                return mode;
            }
        }
        catch (FormatException)
        {
        }

        throw new ContainerEngineException("BuildInvalidInstruction", $"{step}: --chmod={chmod} is not an octal mode such as 0755 (symbolic modes are not supported).", ContainerErrorKind.InvalidArgument, chmod);
    }

    /// <summary>--chown=user[:group] by name or number, names looked up in the image's /etc/passwd and /etc/group; without a group, the gid is the uid as docker documents.</summary>
    internal static (uint Uid, uint Gid) ResolveChown(string root, string chown, string step)
    {
        var parts = chown.Split(':', 2);
        try
        {
            var (uid, _, _) = UserResolver.Resolve(root, parts[0]);
            if (parts.Length == 1)
            {
                return (uid, uint.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out _) ? uid : UserResolver.Resolve(root, parts[0]).Gid);
            }

            var (_, gid, _) = UserResolver.Resolve(root, "0:" + parts[1]);
            return (uid, gid);
        }
        catch (ContainerEngineException e)
        {
            throw new ContainerEngineException("BuildInvalidInstruction", $"{step}: --chown={chown}: {e.Message}", ContainerErrorKind.InvalidArgument, chown, e);
        }
    }
}
