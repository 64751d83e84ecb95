using System.Formats.Tar;
using PSContainers.Native;
using PSContainers.Runtime.Spec;

namespace PSContainers.Core.Containers;

/// <summary>Copies files in and out of a container's mounted root and writes it as a tar; container paths never resolve outside it.</summary>
/// <remarks>
/// A process in the running container can swap any directory of a path for a symlink while a copy or an export runs (the
/// CVE-2021-30465 class), so nothing here uses a container path string after resolving it: the first directory is
/// opened with openat2 RESOLVE_IN_ROOT (symlinks followed as if the root were "/"), and every entry below it is
/// reached from its parent's fd with O_NOFOLLOW. A swap then changes what the copy sees inside the container, never
/// where on the host it reads or writes.
/// </remarks>
public static unsafe class ContainerFiles
{
    private const ulong InRoot = Consts.RESOLVE_IN_ROOT | Consts.RESOLVE_NO_MAGICLINKS;

    /// <summary>docker cp CONTAINER:SRC DEST: into DEST, or into DEST/name when DEST is an existing directory.</summary>
    public static void CopyOut(string root, string containerPath, string hostPath)
    {
        using var rootFd = OpenRoot(root);
        var (parentRel, leaf) = Split(containerPath);
        using var parent = OpenInRoot(rootFd, parentRel, containerPath);
        var name = leaf;
        var source = parent;
        SafeFd? followed = null;
        try
        {
            // The path's own last symlink is followed inside the root, as the path walk before it was.
            if (leaf.Length > 0 && Stat(parent, leaf) is { Type: Consts.S_IFLNK })
            {
                var fd = Libc.OpenAt2(rootFd.Fd, containerPath, Consts.O_PATH | Consts.O_CLOEXEC, 0, InRoot);
                if (fd >= 0)
                {
                    followed = new SafeFd(fd);
                    source = followed;
                    name = "";
                }
            }

            var st = name.Length == 0 ? Stat(source, "") : Stat(source, name);
            if (st is null)
            {
                throw new ContainerEngineException("ContainerPathNotFound", $"{containerPath} does not exist in the container.", ContainerErrorKind.NotFound, containerPath);
            }

            var baseName = leaf.Length > 0 ? leaf : "root";
            var target = Directory.Exists(hostPath) ? Path.Join(hostPath, baseName) : hostPath;
            CopyOutEntry(source, name, st.Value, target);
        }
        finally
        {
            followed?.Dispose();
        }
    }

    /// <summary>docker cp SRC CONTAINER:DEST, with every destination entry made through its parent directory's fd.</summary>
    public static void CopyIn(string root, string hostPath, string containerPath)
    {
        if (!File.Exists(hostPath) && !Directory.Exists(hostPath))
        {
            throw new ContainerEngineException("HostPathNotFound", $"{hostPath} does not exist.", ContainerErrorKind.NotFound, hostPath);
        }

        using var rootFd = OpenRoot(root);
        var hostFull = Path.GetFullPath(hostPath).TrimEnd('/');
        SafeFd? directory = null;
        var fd = Libc.OpenAt2(rootFd.Fd, Relative(containerPath), Consts.O_PATH | Consts.O_DIRECTORY | Consts.O_CLOEXEC, 0, InRoot);
        try
        {
            string name;
            if (fd >= 0)
            {
                // An existing directory: the copy goes inside it under the source's name.
                directory = new SafeFd(fd);
                name = Path.GetFileName(hostFull);
            }
            else
            {
                var (parentRel, leaf) = Split(containerPath);
                directory = OpenInRoot(rootFd, parentRel, containerPath);
                name = leaf.Length > 0 ? leaf : Path.GetFileName(hostFull);
            }

            CopyInEntry(hostFull, directory, name);
        }
        finally
        {
            directory?.Dispose();
        }
    }

    /// <summary>
    /// The container's filesystem as a tar stream (symlinks as symlinks), walked by fd as the copies are. A container
    /// with a user namespace (uidMaps, gidMaps) shows host ids on the host: the archive gets the container's own ids.
    /// </summary>
    public static void Export(string root, Stream destination, IReadOnlyList<LinuxIdMapping>? uidMaps, IReadOnlyList<LinuxIdMapping>? gidMaps,
        CancellationToken cancellationToken)
    {
        using var writer = new TarWriter(destination, TarEntryFormat.Pax, leaveOpen: true);
        using var rootFd = OpenRoot(root);
        using var top = OpenAt(rootFd, "", Consts.O_RDONLY | Consts.O_DIRECTORY | Consts.O_CLOEXEC, 0);
        ExportDirectory(writer, top, "", new IdShift(uidMaps, gidMaps), cancellationToken);
    }

    // Host ids back to the container's ids; no maps, no change.
    private sealed record IdShift(IReadOnlyList<LinuxIdMapping>? Uids, IReadOnlyList<LinuxIdMapping>? Gids)
    {
        public int Uid(uint host) => (int)(Uids is { Count: > 0 } maps ? Images.Snapshots.ShiftedLayerCache.Unshift(host, maps) : host);

        public int Gid(uint host) => (int)(Gids is { Count: > 0 } maps ? Images.Snapshots.ShiftedLayerCache.Unshift(host, maps) : host);
    }

    // Each directory is listed through its own fd and each entry is opened from it with O_NOFOLLOW, so a directory
    // swapped for a symlink during the export is written as the symlink it now is, never followed to the host.
    private static void ExportDirectory(TarWriter writer, SafeFd dir, string prefix, IdShift ids, CancellationToken cancellationToken)
    {
        foreach (var name in Names(dir).Order(StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (Stat(dir, name) is not { } st)
            {
                continue;
            }

            var entryName = prefix + name;
            var type = st.Type switch
            {
                Consts.S_IFDIR => TarEntryType.Directory,
                Consts.S_IFREG => TarEntryType.RegularFile,
                Consts.S_IFLNK => TarEntryType.SymbolicLink,
                Consts.S_IFCHR => TarEntryType.CharacterDevice,
                Consts.S_IFBLK => TarEntryType.BlockDevice,
                Consts.S_IFIFO => TarEntryType.Fifo,
                // Sockets have no tar form; docker export leaves them out too.
                _ => (TarEntryType?)null,
            };
            if (type is not { } entryType)
            {
                continue;
            }

            var entry = new PaxTarEntry(entryType, entryType == TarEntryType.Directory ? entryName + "/" : entryName)
            {
                Mode = (UnixFileMode)(st.Mode & 0xFFF),
                Uid = ids.Uid(st.Uid),
                Gid = ids.Gid(st.Gid),
                ModificationTime = DateTimeOffset.FromUnixTimeSeconds(st.MtimeSec).AddTicks(st.MtimeNsec / 100),
            };
            switch (entryType)
            {
                case TarEntryType.SymbolicLink:
                    if (new FileInfo($"/proc/self/fd/{dir.Fd}/{name}").LinkTarget is { } target)
                    {
                        entry.LinkName = target;
                        writer.WriteEntry(entry);
                    }

                    break;
                case TarEntryType.CharacterDevice or TarEntryType.BlockDevice:
                    entry.DeviceMajor = (int)(((st.Rdev >> 8) & 0xfff) | ((st.Rdev >> 32) & ~0xfffUL));
                    entry.DeviceMinor = (int)((st.Rdev & 0xff) | ((st.Rdev >> 12) & ~0xffUL));
                    writer.WriteEntry(entry);
                    break;
                case TarEntryType.RegularFile:
                {
                    // Gone or replaced (by a symlink: ELOOP) since the listing: a running container changes its files;
                    // the entry is left out, as it would be had the export come a moment later.
                    var fd = OpenAtRaw(dir, name, Consts.O_RDONLY | Consts.O_NOFOLLOW | Consts.O_CLOEXEC, 0);
                    if (fd < 0)
                    {
                        break;
                    }

                    using var data = new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true), FileAccess.Read);
                    entry.DataStream = data;
                    writer.WriteEntry(entry);
                    break;
                }

                case TarEntryType.Directory:
                {
                    writer.WriteEntry(entry);
                    var fd = OpenAtRaw(dir, name, Consts.O_RDONLY | Consts.O_DIRECTORY | Consts.O_NOFOLLOW | Consts.O_CLOEXEC, 0);
                    if (fd >= 0)
                    {
                        using var child = new SafeFd(fd);
                        ExportDirectory(writer, child, entryName + "/", ids, cancellationToken);
                    }

                    break;
                }

                default:
                    writer.WriteEntry(entry);
                    break;
            }
        }
    }

    private static void CopyOutEntry(SafeFd dir, string name, StatInfo st, string target)
    {
        switch (st.Type)
        {
            case Consts.S_IFLNK:
                // A file or link already there is replaced, as docker cp replaces it.
                if (File.Exists(target) || new FileInfo(target).LinkTarget is not null)
                {
                    File.Delete(target);
                }

                File.CreateSymbolicLink(target, ReadLink(dir, name));
                return;
            case Consts.S_IFREG:
            {
                using var source = OpenAt(dir, name, Consts.O_RDONLY | Consts.O_NOFOLLOW | Consts.O_CLOEXEC, 0);
                using var input = new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(source.Release(), ownsHandle: true), FileAccess.Read);
                using var output = new FileStream(target, FileMode.Create, FileAccess.Write);
                input.CopyTo(output);
                File.SetUnixFileMode(target, (UnixFileMode)(st.Mode & 0xFFF));
                return;
            }
            case Consts.S_IFDIR:
            {
                using var child = OpenAt(dir, name, Consts.O_RDONLY | Consts.O_DIRECTORY | Consts.O_NOFOLLOW | Consts.O_CLOEXEC, 0);
                Directory.CreateDirectory(target);
                File.SetUnixFileMode(target, (UnixFileMode)(st.Mode & 0xFFF));
                foreach (var entry in Names(child))
                {
                    if (Stat(child, entry) is { } s)
                    {
                        CopyOutEntry(child, entry, s, Path.Join(target, entry));
                    }
                }

                return;
            }
            default:
                // Devices, FIFOs and sockets are not copied out, as docker cp leaves them too.
                return;
        }
    }

    private static void CopyInEntry(string hostPath, SafeFd dir, string name)
    {
        var info = new FileInfo(hostPath);
        if (info.LinkTarget is { } link)
        {
            Unlink(dir, name, directory: false);
            Check(Symlink(link, dir, name), "symlinkat", name);
            return;
        }

        if (Directory.Exists(hostPath))
        {
            var mode = (uint)File.GetUnixFileMode(hostPath);
            fixed (byte* p = Libc.Utf8(name))
            {
                if (LibcAt.MkdirAt(dir.Fd, p, mode) != 0 && Libc.LastErrno != Errno.EEXIST)
                {
                    throw Failed("mkdirat", name, Libc.LastErrno);
                }
            }

            // O_NOFOLLOW: a symlink put in place of the directory since the mkdir is refused (ELOOP), not followed.
            using var child = OpenAt(dir, name, Consts.O_PATH | Consts.O_DIRECTORY | Consts.O_NOFOLLOW | Consts.O_CLOEXEC, 0);
            foreach (var entry in Directory.EnumerateFileSystemEntries(hostPath))
            {
                CopyInEntry(entry, child, Path.GetFileName(entry));
            }

            return;
        }

        var fileMode = (uint)File.GetUnixFileMode(hostPath);
        const int flags = Consts.O_WRONLY | Consts.O_CREAT | Consts.O_TRUNC | Consts.O_NOFOLLOW | Consts.O_CLOEXEC;
        var fd = OpenAtRaw(dir, name, flags, fileMode);
        if (fd < 0 && Libc.LastErrno == Errno.ELOOP)
        {
            // A symlink in the container where the file goes: replaced, as docker cp replaces it, never written through.
            Unlink(dir, name, directory: false);
            fd = OpenAtRaw(dir, name, flags | Consts.O_EXCL, fileMode);
        }

        Check(fd, "openat", name);
        using var output = new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true), FileAccess.Write);
        using (var input = File.OpenRead(hostPath))
        {
            input.CopyTo(output);
        }

        Check(LibcAt.Fchmod(fd, fileMode), "fchmod", name);
    }

    private static SafeFd OpenRoot(string root)
    {
        var fd = Libc.OpenAt2(Consts.AT_FDCWD, root, Consts.O_PATH | Consts.O_DIRECTORY | Consts.O_CLOEXEC, 0, 0);
        return new SafeFd(Check(fd, "open", root));
    }

    // A directory of the container, symlinks resolved as if the root were "/".
    private static SafeFd OpenInRoot(SafeFd root, string relative, string containerPath)
    {
        if (relative.Length == 0)
        {
            return new SafeFd(Check(Libc.OpenAt2(root.Fd, ".", Consts.O_PATH | Consts.O_DIRECTORY | Consts.O_CLOEXEC, 0, 0), "openat2", "/"));
        }

        var fd = Libc.OpenAt2(root.Fd, relative, Consts.O_PATH | Consts.O_DIRECTORY | Consts.O_CLOEXEC, 0, InRoot);
        if (fd < 0)
        {
            var errno = Libc.LastErrno;
            throw errno is Errno.ENOENT or Errno.ENOTDIR
                ? new ContainerEngineException("ContainerPathNotFound", $"{containerPath}: the directory /{relative} does not exist in the container.", ContainerErrorKind.NotFound, containerPath)
                : Failed("openat2", "/" + relative, errno);
        }

        return new SafeFd(fd);
    }

    // The directory part (relative to the root) and the last name of a container path.
    private static (string Parent, string Leaf) Split(string containerPath)
    {
        var relative = Relative(containerPath);
        var slash = relative.LastIndexOf('/');
        var leaf = slash < 0 ? relative : relative[(slash + 1)..];
        if (leaf is "." or "..")
        {
            return (relative, "");
        }

        return (slash < 0 ? "" : relative[..slash], leaf);
    }

    private static string Relative(string containerPath)
    {
        var trimmed = containerPath.Trim('/');
        return trimmed.Length == 0 ? "." : trimmed;
    }

    private static StatInfo? Stat(SafeFd dir, string name)
    {
        fixed (byte* p = Libc.Utf8(name))
        {
            var flags = name.Length == 0 ? Consts.AT_EMPTY_PATH : Consts.AT_SYMLINK_NOFOLLOW;
            return LibcAt.FstatAt(dir.Fd, p, flags, out var st) ? st : null;
        }
    }

    private static IEnumerable<string> Names(SafeFd dir) =>
        // The fd's magic link names the directory that fd holds, whatever the path now leads to.
        Directory.EnumerateFileSystemEntries($"/proc/self/fd/{dir.Fd}").Select(Path.GetFileName).OfType<string>().ToList();

    // readlink does not follow the last component, and the directory is the one the fd holds.
    private static string ReadLink(SafeFd dir, string name) =>
        new FileInfo(name.Length == 0 ? $"/proc/self/fd/{dir.Fd}" : $"/proc/self/fd/{dir.Fd}/{name}").LinkTarget
        ?? throw new IOException($"{name} is no longer a symbolic link");

    private static int Symlink(string target, SafeFd dir, string name)
    {
        fixed (byte* t = Libc.Utf8(target))
        fixed (byte* p = Libc.Utf8(name))
        {
            return LibcAt.SymlinkAt(t, dir.Fd, p);
        }
    }

    private static void Unlink(SafeFd dir, string name, bool directory)
    {
        fixed (byte* p = Libc.Utf8(name))
        {
            if (LibcAt.UnlinkAt(dir.Fd, p, directory ? LibcAt.AT_REMOVEDIR : 0) != 0 && Libc.LastErrno != Errno.ENOENT)
            {
                throw Failed("unlinkat", name, Libc.LastErrno);
            }
        }
    }

    private static int OpenAtRaw(SafeFd dir, string name, int flags, uint mode)
    {
        fixed (byte* p = Libc.Utf8(name))
        {
            return LibcAt.OpenAt(dir.Fd, p, flags, mode);
        }
    }

    // An empty name reopens the fd itself through its magic link (which O_NOFOLLOW would refuse).
    private static SafeFd OpenAt(SafeFd dir, string name, int flags, uint mode) =>
        new(Check(name.Length == 0 ? Libc.Open($"/proc/self/fd/{dir.Fd}", flags & ~Consts.O_NOFOLLOW, mode) : OpenAtRaw(dir, name, flags, mode), "openat", name));

    private static int Check(int result, string call, string path) =>
        result >= 0 ? result : throw Failed(call, path, Libc.LastErrno);

    private static ContainerEngineException Failed(string call, string path, int errno) =>
        new("ContainerCopyFailed", new SyscallException(call, path, errno).Message, ContainerErrorKind.OperationFailed, path);
}
