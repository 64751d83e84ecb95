using System.Security.Cryptography;
using System.Text;
using PSContainers.Core.Build.Context;
using PSContainers.Core.Build.Ignore;
using PSContainers.Core.Containers;
using PSContainers.Native;
using PSContainers.Runtime.Paths;

namespace PSContainers.Core.Build.Executor;

/// <summary>What COPY and ADD write: files from a source tree into the image's root, as docker lays them out.</summary>
/// <remarks>
/// A directory source copies its contents, a file source goes to DEST or (DEST ending in "/", an existing directory,
/// several sources) DEST/name. New files keep the source's mode and modification time and belong to 0:0 unless
/// --chown says otherwise; --chmod replaces the mode. Every target resolves inside the image root (SecurePath), and
/// a target's last component is replaced, never followed.
/// </remarks>
internal static unsafe partial class FileCopier
{
    public sealed record Options(uint Uid, uint Gid, bool Chown, uint? Mode, IgnoreMatcher? Exclude)
    {
        /// <summary>Keep the sources' owners (COPY --from) instead of 0:0 when there is no --chown.</summary>
        public bool KeepOwner { get; init; }
    }

    /// <summary>
    /// The checksum of what a COPY would write: each entry's name (relative to its source), type, mode, owner, size,
    /// content hash and link target, in a fixed order. Modification times stay out, as docker leaves them out.
    /// </summary>
    public static string Checksum(SourceTree tree, IReadOnlyList<CopySource> sources, Options options, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var source in sources)
        {
            Add(hash, $"source {source.RelativePath}\n");
            foreach (var (host, relative, _) in Enumerate(tree, source, options))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!LibcAt.Lstat(host, out var st))
                {
                    continue;
                }

                Add(hash, $"{relative}\0{st.Mode:x}\0{st.Uid}:{st.Gid}\0{st.Size}\0");
                if (st.Type == Consts.S_IFREG)
                {
                    using var file = new FileStream(host, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16, FileOptions.SequentialScan);
                    hash.AppendData(SHA256.HashData(file));
                }
                else if (st.Type == 0xA000)
                {
                    Add(hash, new FileInfo(host).LinkTarget ?? "");
                }

                Add(hash, "\n");
            }
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static void Add(IncrementalHash hash, string text) => hash.AppendData(Encoding.UTF8.GetBytes(text));

    /// <summary>The entries a source stands for, parents first: (host path, path relative to the source, is directory); the source itself is "".</summary>
    public static IEnumerable<(string Host, string Relative, bool IsDirectory)> Enumerate(SourceTree tree, CopySource source, Options options)
    {
        if (!source.IsDirectory)
        {
            yield return (source.HostPath, "", false);
            yield break;
        }

        yield return (source.HostPath, "", true);
        var pending = new Stack<(string Host, string Relative)>();
        pending.Push((source.HostPath, ""));
        while (pending.Count > 0)
        {
            var (dir, relative) = pending.Pop();
            var names = Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();
            var subdirs = new List<(string, string)>();
            foreach (var name in names)
            {
                var host = Path.Join(dir, name);
                var rel = relative.Length == 0 ? name : relative + "/" + name;
                var contextRelative = source.RelativePath.Length == 0 ? rel : source.RelativePath + "/" + rel;
                var isDir = LibcAt.Lstat(host, out var st) && st.Type == Consts.S_IFDIR;
                var excluded = (tree.IsExcluded(contextRelative) || (options.Exclude?.IsExcluded(rel) ?? false));
                if (excluded && !(isDir && tree.MayIncludeUnder(contextRelative)))
                {
                    continue;
                }

                if (!excluded)
                {
                    yield return (host, rel, isDir);
                }

                if (isDir)
                {
                    subdirs.Add((host, rel));
                }
            }

            for (var i = subdirs.Count - 1; i >= 0; i--)
            {
                pending.Push(subdirs[i]);
            }
        }
    }

    /// <summary>Copies the sources to dest (an absolute path in the image) under root.</summary>
    public static void Copy(SourceTree tree, IReadOnlyList<CopySource> sources, string root, string dest, Options options, string instruction, CancellationToken cancellationToken,
        int totalSources = 0)
    {
        var destIsDir = dest.EndsWith('/') || IsDirectory(root, dest);
        if (Math.Max(sources.Count, totalSources) > 1 && !destIsDir)
        {
            throw new ContainerEngineException("BuildDestinationNotDirectory",
                $"{instruction}: with more than one source file, the destination must be a directory and end with a /.", ContainerErrorKind.InvalidArgument, dest);
        }

        var directories = new List<(string Host, StatInfo Source)>();
        var links = new Dictionary<(ulong, ulong), string>();
        foreach (var source in sources)
        {
            if (source.IsDirectory)
            {
                var target = dest.TrimEnd('/');
                foreach (var (host, relative, isDir) in Enumerate(tree, source, options))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var path = relative.Length == 0 ? (target.Length == 0 ? "/" : target) : target + "/" + relative;
                    CopyEntry(root, host, path, isDir, options, directories, links, top: relative.Length == 0);
                }
            }
            else
            {
                var path = destIsDir ? dest.TrimEnd('/') + "/" + source.Name : dest;
                // A source named directly is the file its link points to, resolved inside its tree.
                var resolved = SecurePath.Resolve(tree.Root, source.RelativePath);
                CopyEntry(root, resolved, path, false, options, directories, links);
            }
        }

        // Directory times last: filling them changed their mtime.
        for (var i = directories.Count - 1; i >= 0; i--)
        {
            SetTimes(directories[i].Host, directories[i].Source, noFollow: true);
        }
    }

    private static bool IsDirectory(string root, string dest)
    {
        var host = SecurePath.Resolve(root, dest);
        return Directory.Exists(host);
    }

    /// <param name="top">The destination directory a directory source's contents go into: when it exists already it keeps its owner, mode and times unless --chown/--chmod say otherwise.</param>
    private static void CopyEntry(string root, string sourceHost, string imagePath, bool isDir, Options options, List<(string, StatInfo)> directories,
        Dictionary<(ulong, ulong), string> links, bool top = false)
    {
        if (!LibcAt.Lstat(sourceHost, out var st))
        {
            throw new ContainerEngineException("BuildSourceNotFound", $"{sourceHost} vanished while it was copied.", ContainerErrorKind.NotFound, sourceHost);
        }

        var mode = options.Mode ?? (st.Mode & 0xFFF);
        var (uid, gid) = options.Chown ? (options.Uid, options.Gid) : options.KeepOwner ? (st.Uid, st.Gid) : (0u, 0u);
        var clean = imagePath.TrimEnd('/');
        if (clean.Length == 0)
        {
            // The image root itself: it changes only when asked to.
            var rootHost = SecurePath.Resolve(root, "/");
            if (options.Chown)
            {
                Check(Lchown(rootHost, uid, gid), "lchown", rootHost);
            }

            if (options.Mode is { } rootMode)
            {
                Libc.Check(Libc.Chmod(rootHost, rootMode), "chmod", rootHost);
            }

            return;
        }

        var parent = SecurePath.MkdirAll(root, Path.GetDirectoryName(clean) ?? "/", (UnixFileMode)0x1ED);
        var target = Path.Join(parent, Path.GetFileName(clean));
        var existing = LibcAt.Lstat(target, out var old);
        if (st.Type == Consts.S_IFDIR || isDir)
        {
            if (existing && old.Type != Consts.S_IFDIR)
            {
                File.Delete(target);
                existing = false;
            }

            if (!existing && top)
            {
                // The destination a directory's contents go into keeps the source directory's mode; --chmod is for what is copied into it.
                Directory.CreateDirectory(target);
                Check(Lchown(target, uid, gid), "lchown", target);
                Libc.Check(Libc.Chmod(target, st.Mode & 0xFFF), "chmod", target);
                directories.Add((target, st));
                return;
            }

            if (!existing)
            {
                Directory.CreateDirectory(target);
            }
            else if (top)
            {
                if (options.Chown)
                {
                    Check(Lchown(target, uid, gid), "lchown", target);
                }

                if (options.Mode is { } topMode)
                {
                    Libc.Check(Libc.Chmod(target, topMode), "chmod", target);
                }

                return;
            }

            Check(Lchown(target, uid, gid), "lchown", target);
            Libc.Check(Libc.Chmod(target, options.Mode ?? (st.Mode & 0xFFF)), "chmod", target);
            directories.Add((target, st));
            return;
        }

        if (existing)
        {
            if (old.Type == Consts.S_IFDIR)
            {
                Directory.Delete(target, recursive: true);
            }
            else
            {
                File.Delete(target);
            }
        }

        switch (st.Type)
        {
            case 0xA000:
                File.CreateSymbolicLink(target, new FileInfo(sourceHost).LinkTarget ?? "");
                Check(Lchown(target, uid, gid), "lchown", target);
                SetTimes(target, st, noFollow: true);
                return;
            case Consts.S_IFREG when st.Nlink > 1 && links.TryGetValue((st.Dev, st.Ino), out var first):
                // Files hard-linked in the source stay one file, as docker and podman copy them.
                Libc.Check(Link(first, target), "link", target);
                return;
            case Consts.S_IFREG:
                File.Copy(sourceHost, target, overwrite: false);
                if (st.Nlink > 1)
                {
                    links[(st.Dev, st.Ino)] = target;
                }

                break;
            default:
                throw new ContainerEngineException("BuildUnsupportedFileType", $"{sourceHost} is a device, fifo or socket; COPY copies files, directories and links.",
                    ContainerErrorKind.InvalidArgument, sourceHost);
        }

        Check(Lchown(target, uid, gid), "lchown", target);
        Libc.Check(Libc.Chmod(target, mode), "chmod", target);
        SetTimes(target, st, noFollow: true);
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = System.Runtime.InteropServices.StringMarshalling.Utf8)]
    private static partial int Link(string existing, string newPath);

    private static int Lchown(string path, uint uid, uint gid)
    {
        fixed (byte* p = Libc.Utf8(path))
        {
            return LibcAt.FchownAt(Consts.AT_FDCWD, p, uid, gid, Consts.AT_SYMLINK_NOFOLLOW);
        }
    }

    private static void SetTimes(string path, StatInfo st, bool noFollow)
    {
        var times = stackalloc TimeSpec[2];
        times[0] = new TimeSpec { Seconds = st.MtimeSec, Nanoseconds = st.MtimeNsec };
        times[1] = times[0];
        fixed (byte* p = Libc.Utf8(path))
        {
            Check(LibcAt.UtimensAt(Consts.AT_FDCWD, p, times, noFollow ? Consts.AT_SYMLINK_NOFOLLOW : 0), "utimensat", path);
        }
    }

    private static void Check(int result, string call, string path) => Libc.Check(result, call, path);
}
