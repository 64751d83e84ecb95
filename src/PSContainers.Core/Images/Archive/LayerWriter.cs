using System.Text;
using Microsoft.Extensions.Logging;
using PSContainers.Core.Containers;
using PSContainers.Native;

namespace PSContainers.Core.Images.Archive;

/// <summary>
/// Writes tar entries into one snapshot directory through directory fds, so no entry can reach outside it.
/// </summary>
/// <remarks>
/// Names are cleaned lexically: a leading "/" is dropped (as GNU tar does) and a ".." that would climb above the root
/// fails the layer. Parent directories are opened with openat2(RESOLVE_IN_ROOT), so a symlink the layer made (even an
/// absolute one, or "..") resolves inside the snapshot, never on the host; the last component is created with
/// O_EXCL|O_NOFOLLOW / *at calls that do not follow links. Hardlink targets resolve the same way. Whiteouts become
/// overlay's form: .wh.NAME a 0:0 character device, .wh..wh..opq the trusted.overlay.opaque=y xattr. Device nodes are
/// created as docker creates them (the engine runs as root); where mknod is refused they are skipped with a warning.
/// trusted.overlay.* xattrs from the archive are dropped: they would steer the overlay mount.
/// </remarks>
internal sealed unsafe class LayerWriter : IDisposable
{
    private const int MaxCachedDirs = 512;
    private readonly string _rootPath;
    private readonly int _root;
    private readonly ILogger _log;
    private readonly Dictionary<string, int> _dirs = new(StringComparer.Ordinal);
    private readonly List<(string Path, TimeSpec Atime, TimeSpec Mtime)> _dirTimes = [];
    private readonly byte[] _name = new byte[8192];
    private readonly byte[] _name2 = new byte[8192];
    private readonly byte[] _name3 = new byte[8192];
    private readonly byte[] _key = new byte[1024];
    private readonly List<string> _components = [];
    private string _current = "";

    // Directories (relative paths) whose setgid bit makes new files inherit their group.
    private readonly HashSet<string> _setgid = new(StringComparer.Ordinal);
    private readonly uint _umask;
    private readonly uint _euid;
    private readonly uint _egid;

    public LayerWriter(string rootPath, ILogger log)
    {
        _rootPath = rootPath;
        _log = log;
        _root = Libc.Open(rootPath, Consts.O_PATH | Consts.O_DIRECTORY | Consts.O_CLOEXEC, 0);
        Libc.Check(_root, "open", rootPath);
        (_umask, _euid, _egid) = ReadCredentials();
        if (LibcAt.Lstat(rootPath, out var st) && (st.Mode & 0x400) != 0)
        {
            _setgid.Add("");
        }
    }

    // From /proc/self/status: reading the umask through umask(2) would change it for a moment for every thread.
    private static (uint Umask, uint Euid, uint Egid) ReadCredentials()
    {
        uint umask = 0x12, euid = Libc.GetEuid(), egid = uint.MaxValue;
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("Umask:", StringComparison.Ordinal))
            {
                umask = Convert.ToUInt32(line["Umask:".Length..].Trim(), 8);
            }
            else if (line.StartsWith("Gid:", StringComparison.Ordinal))
            {
                var fields = line["Gid:".Length..].Split('\t', StringSplitOptions.RemoveEmptyEntries);
                egid = fields.Length > 1 ? uint.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) : egid;
            }
        }

        return (umask, euid, egid);
    }

    /// <summary>Bytes of regular file content written (apparent sizes).</summary>
    public long Size { get; private set; }

    public long Entries { get; private set; }

    public int SkippedDevices { get; private set; }

    public void Apply(TarEntry entry, LayerTarReader reader)
    {
        Entries++;
        // Evicted only here, between entries: an entry's own calls hold cached fds.
        if (_dirs.Count >= MaxCachedDirs)
        {
            InvalidateDirs();
        }

        var (full, parent, name) = Clean(entry.Name, entry.Name);
        _current = full;
        if (full.Length == 0)
        {
            if (entry.Type == TarEntry.Directory)
            {
                ApplyRoot(entry);
            }

            return;
        }

        if (name.StartsWith(".wh.", StringComparison.Ordinal))
        {
            ApplyWhiteout(entry, parent, name);
            return;
        }

        var dir = OpenDir(parent, create: true, entry.Name);
        switch (entry.Type)
        {
            case TarEntry.Directory:
                WriteDirectory(dir, name, full, entry);
                break;
            case TarEntry.Symlink:
                WriteSymlink(dir, parent, name, entry);
                break;
            case TarEntry.HardLink:
                WriteHardLink(dir, name, entry);
                break;
            case TarEntry.CharDevice or TarEntry.BlockDevice or TarEntry.Fifo:
                WriteNode(dir, name, entry);
                break;
            default:
                if (!entry.IsRegular)
                {
                    _log.LogDebug("skipping {Name}: tar entry type '{Type}' is not a file type", entry.Name, (char)entry.Type);
                    return;
                }

                WriteFile(dir, parent, name, entry, reader);
                break;
        }
    }

    /// <summary>Sets directory times last: creating their children changed them.</summary>
    public void Finish()
    {
        var times = stackalloc TimeSpec[2];
        for (var i = _dirTimes.Count - 1; i >= 0; i--)
        {
            var (path, atime, mtime) = _dirTimes[i];
            times[0] = atime;
            times[1] = mtime;
            if (path.Length == 0)
            {
                var rootBytes = Libc.Utf8(_rootPath);
                fixed (byte* p = rootBytes)
                {
                    LibcAt.UtimensAt(Consts.AT_FDCWD, p, times, 0);
                }

                continue;
            }

            var (_, parent, name) = Clean(path, path);
            int dir;
            try
            {
                dir = OpenDir(parent, create: false, path);
            }
            catch (ContainerEngineException)
            {
                // A later entry replaced the directory or one above it: nothing to date.
                continue;
            }

            fixed (byte* p = Encode(name, _name))
            {
                if (LibcAt.FstatAt(dir, p, Consts.AT_SYMLINK_NOFOLLOW, out var st) && st.Type == Consts.S_IFDIR)
                {
                    Check(LibcAt.UtimensAt(dir, p, times, Consts.AT_SYMLINK_NOFOLLOW), "utimensat", path);
                }
            }
        }
    }

    public void Dispose()
    {
        foreach (var fd in _dirs.Values)
        {
            Libc.Close(fd);
        }

        _dirs.Clear();
        Libc.Close(_root);
    }

    private void ApplyRoot(TarEntry entry)
    {
        Check(Libc.Chown(_rootPath, entry.Uid, entry.Gid), "chown", "/");
        Check(Libc.Chmod(_rootPath, entry.Mode), "chmod", "/");
        if ((entry.Mode & 0x400) != 0)
        {
            _setgid.Add("");
        }
        else
        {
            _setgid.Remove("");
        }
        _dirTimes.Add(("", Atime(entry), Mtime(entry)));
    }

    private void ApplyWhiteout(TarEntry entry, string parent, string name)
    {
        var dir = OpenDir(parent, create: true, entry.Name);
        if (name == ".wh..wh..opq")
        {
            SetXattrThroughFd(dir, null, "trusted.overlay.opaque", "y"u8, follow: true, entry.Name);
            return;
        }

        if (name.StartsWith(".wh..wh.", StringComparison.Ordinal))
        {
            // aufs bookkeeping (.wh..wh.plnk, .wh..wh.aufs): no meaning for overlay.
            return;
        }

        var target = name[4..];
        if (target is "" or "." or "..")
        {
            throw Unsafe(entry.Name, "a whiteout must name an entry of its directory, not \"" + target + "\"");
        }

        RemoveExisting(dir, target, keepDirectory: false, entry.Name);
        fixed (byte* p = Encode(target, _name))
        {
            Check(LibcAt.MknodAt(dir, p, Consts.S_IFCHR, 0), "mknodat (whiteout)", entry.Name);
        }
    }

    private void WriteDirectory(int dir, string name, string full, TarEntry entry)
    {
        fixed (byte* p = Encode(name, _name))
        {
            if (LibcAt.MkdirAt(dir, p, 0x1C0) != 0)
            {
                var errno = Libc.LastErrno;
                if (errno != Errno.EEXIST)
                {
                    throw Failed("mkdirat", entry.Name, errno);
                }

                if (!LibcAt.FstatAt(dir, p, Consts.AT_SYMLINK_NOFOLLOW, out var st) || st.Type != Consts.S_IFDIR)
                {
                    RemoveExisting(dir, name, keepDirectory: false, entry.Name);
                    Check(LibcAt.MkdirAt(dir, p, 0x1C0), "mkdirat", entry.Name);
                }
            }

            var fd = LibcAt.OpenAt(dir, p, Consts.O_RDONLY | Consts.O_DIRECTORY | Consts.O_NOFOLLOW | Consts.O_CLOEXEC, 0);
            Check(fd, "open", entry.Name);
            try
            {
                Check(LibcAt.Fchown(fd, entry.Uid, entry.Gid), "fchown", entry.Name);
                Check(LibcAt.Fchmod(fd, entry.Mode), "fchmod", entry.Name);
                if ((entry.Mode & 0x400) != 0)
                {
                    _setgid.Add(full);
                }
                else
                {
                    _setgid.Remove(full);
                }
                foreach (var (key, value) in entry.Xattrs)
                {
                    SetXattrFd(fd, key, value, entry.Name);
                }
            }
            finally
            {
                Libc.Close(fd);
            }
        }

        _dirTimes.Add((full, Atime(entry), Mtime(entry)));
    }

    private void WriteFile(int dir, string parent, string name, TarEntry entry, LayerTarReader reader)
    {
        // Created with its permissions, and owned by us already: fchown and fchmod only when they change something.
        var perm = entry.Mode & 0x1FF;
        var needChown = entry.Uid != _euid || entry.Gid != _egid || _setgid.Contains(parent);
        var needChmod = (entry.Mode & 0xE00) != 0 || (perm & _umask) != 0 || needChown;
        int fd;
        fixed (byte* p = Encode(name, _name))
        {
            const int flags = Consts.O_WRONLY | Consts.O_CREAT | Consts.O_EXCL | Consts.O_NOFOLLOW | Consts.O_CLOEXEC;
            fd = LibcAt.OpenAt(dir, p, flags, perm);
            if (fd < 0 && Libc.LastErrno == Errno.EEXIST)
            {
                RemoveExisting(dir, name, keepDirectory: false, entry.Name);
                fd = LibcAt.OpenAt(dir, p, flags, perm);
            }
        }

        Check(fd, "open", entry.Name);
        try
        {
            if (entry.Sparse is { } segments)
            {
                foreach (var (offset, length) in segments)
                {
                    var at = offset;
                    var left = length;
                    while (left > 0)
                    {
                        var span = reader.ReadData(left);
                        if (span.IsEmpty)
                        {
                            throw LayerTarReader.Invalid($"the sparse file {entry.Name} has less data than its map says");
                        }

                        PWriteAll(fd, span, at, entry.Name);
                        at += span.Length;
                        left -= span.Length;
                    }
                }

                Check(LibcAt.Ftruncate(fd, entry.RealSize), "ftruncate", entry.Name);
            }
            else
            {
                while (reader.DataRemaining > 0)
                {
                    WriteAll(fd, reader.ReadData(reader.DataRemaining), entry.Name);
                }
            }

            if (needChown)
            {
                Check(LibcAt.Fchown(fd, entry.Uid, entry.Gid), "fchown", entry.Name);
            }

            // After chown: chown clears setuid and setgid bits.
            if (needChmod)
            {
                Check(LibcAt.Fchmod(fd, entry.Mode), "fchmod", entry.Name);
            }
            foreach (var (key, value) in entry.Xattrs)
            {
                SetXattrFd(fd, key, value, entry.Name);
            }

            var times = stackalloc TimeSpec[2];
            times[0] = Atime(entry);
            times[1] = Mtime(entry);
            Check(LibcAt.Futimens(fd, times), "futimens", entry.Name);
        }
        finally
        {
            Libc.Close(fd);
        }

        Size += entry.RealSize;
    }

    private void WriteSymlink(int dir, string parent, string name, TarEntry entry)
    {
        if (entry.LinkName.Contains('\0'))
        {
            throw Unsafe(entry.Name, "the link target holds a NUL byte");
        }

        fixed (byte* p = Encode(name, _name))
        fixed (byte* target = Encode(entry.LinkName, _name2))
        {
            if (LibcAt.SymlinkAt(target, dir, p) != 0)
            {
                var errno = Libc.LastErrno;
                if (errno != Errno.EEXIST)
                {
                    throw Failed("symlinkat", entry.Name, errno);
                }

                RemoveExisting(dir, name, keepDirectory: false, entry.Name);
                Check(LibcAt.SymlinkAt(target, dir, p), "symlinkat", entry.Name);
            }

            // Made by us, so ours already (a setgid directory gives its group instead): lchown only when that differs.
            if (entry.Uid != _euid || entry.Gid != _egid || _setgid.Contains(parent))
            {
                Check(LibcAt.FchownAt(dir, p, entry.Uid, entry.Gid, Consts.AT_SYMLINK_NOFOLLOW), "lchown", entry.Name);
            }

            foreach (var (key, value) in entry.Xattrs)
            {
                SetXattrThroughFd(dir, name, key, value, follow: false, entry.Name);
            }

            SetTimesAt(dir, p, entry);
        }
    }

    private void WriteHardLink(int dir, string name, TarEntry entry)
    {
        var (targetFull, targetParent, targetName) = Clean(entry.LinkName, entry.Name);
        if (targetFull.Length == 0)
        {
            throw Unsafe(entry.Name, "a hardlink cannot point at the layer's root");
        }

        var targetDir = OpenDir(targetParent, create: false, entry.Name);
        fixed (byte* p = Encode(name, _name))
        fixed (byte* t = Encode(targetName, _name2))
        {
            if (LibcAt.LinkAt(targetDir, t, dir, p, 0) != 0)
            {
                var errno = Libc.LastErrno;
                if (errno == Errno.ENOENT)
                {
                    throw Unsafe(entry.Name, $"its hardlink target \"{entry.LinkName}\" is not an earlier entry of the layer");
                }

                if (errno != Errno.EEXIST)
                {
                    throw Failed("linkat", entry.Name, errno);
                }

                if (LibcAt.FstatAt(targetDir, t, Consts.AT_SYMLINK_NOFOLLOW, out var a) && LibcAt.FstatAt(dir, p, Consts.AT_SYMLINK_NOFOLLOW, out var b) && a.Ino == b.Ino && a.Dev == b.Dev)
                {
                    return;
                }

                RemoveExisting(dir, name, keepDirectory: false, entry.Name);
                Check(LibcAt.LinkAt(targetDir, t, dir, p, 0), "linkat", entry.Name);
            }
        }
    }

    private void WriteNode(int dir, string name, TarEntry entry)
    {
        var type = entry.Type switch { TarEntry.CharDevice => Consts.S_IFCHR, TarEntry.BlockDevice => Consts.S_IFBLK, _ => Consts.S_IFIFO };
        var dev = entry.Type == TarEntry.Fifo ? 0 : Consts.Makedev(entry.DevMajor, entry.DevMinor);
        fixed (byte* p = Encode(name, _name))
        {
            if (LibcAt.MknodAt(dir, p, type | entry.Mode, dev) != 0)
            {
                var errno = Libc.LastErrno;
                if (errno == Errno.EEXIST)
                {
                    RemoveExisting(dir, name, keepDirectory: false, entry.Name);
                    errno = LibcAt.MknodAt(dir, p, type | entry.Mode, dev) == 0 ? 0 : Libc.LastErrno;
                }

                if (errno == Errno.EPERM && type != Consts.S_IFIFO)
                {
                    // Without CAP_MKNOD (a user namespace) docker skips device nodes too.
                    SkippedDevices++;
                    _log.LogWarning("skipped the device node {Name}: mknod is not permitted here", entry.Name);
                    return;
                }

                if (errno != 0)
                {
                    throw Failed("mknodat", entry.Name, errno);
                }
            }

            Check(LibcAt.FchownAt(dir, p, entry.Uid, entry.Gid, Consts.AT_SYMLINK_NOFOLLOW), "lchown", entry.Name);
            Check(LibcAt.FchmodAt(dir, p, entry.Mode, 0), "fchmodat", entry.Name);
            foreach (var (key, value) in entry.Xattrs)
            {
                SetXattrThroughFd(dir, name, key, value, follow: false, entry.Name);
            }

            SetTimesAt(dir, p, entry);
        }
    }

    private void SetTimesAt(int dir, byte* name, TarEntry entry)
    {
        var times = stackalloc TimeSpec[2];
        times[0] = Atime(entry);
        times[1] = Mtime(entry);
        Check(LibcAt.UtimensAt(dir, name, times, Consts.AT_SYMLINK_NOFOLLOW), "utimensat", entry.Name);
    }

    /// <summary>Makes room for a new entry: deletes what the layer put at dir/name earlier (a whole tree if it was a directory).</summary>
    private void RemoveExisting(int dir, string name, bool keepDirectory, string entryName)
    {
        fixed (byte* p = Encode(name, _name3))
        {
            if (!LibcAt.FstatAt(dir, p, Consts.AT_SYMLINK_NOFOLLOW, out var st))
            {
                return;
            }

            if (st.Type == Consts.S_IFDIR)
            {
                if (keepDirectory)
                {
                    return;
                }

                // Directory fds cached at or below it would now point into a deleted tree; the caller's dir is its parent.
                ForgetDirsUnder(RemovedPath(name));
                if (LibcAt.UnlinkAt(dir, p, LibcAt.AT_REMOVEDIR) != 0)
                {
                    // Not empty: delete the tree through the fd's magic link, which names the real directory.
                    Directory.Delete($"/proc/self/fd/{dir}/{name}", recursive: true);
                }

                return;
            }

            Check(LibcAt.UnlinkAt(dir, p, 0), "unlinkat", entryName);
        }
    }

    /// <summary>An O_PATH fd of a directory of the layer, resolved inside the root; missing directories are made (0755, root).</summary>
    private int OpenDir(string relative, bool create, string entryName)
    {
        if (relative.Length == 0)
        {
            return _root;
        }

        if (_dirs.TryGetValue(relative, out var cached))
        {
            return cached;
        }

        const ulong flags = Consts.O_PATH | Consts.O_DIRECTORY | Consts.O_CLOEXEC;
        const ulong resolve = Consts.RESOLVE_IN_ROOT | Consts.RESOLVE_NO_MAGICLINKS;
        var fd = Libc.OpenAt2(_root, relative, flags, 0, resolve);
        if (fd < 0)
        {
            var errno = Libc.LastErrno;
            if (errno != Errno.ENOENT || !create)
            {
                throw errno switch
                {
                    Errno.ELOOP => Unsafe(entryName, "its directory path has a symlink loop"),
                    Errno.ENOTDIR => Unsafe(entryName, $"\"{relative}\" is not a directory in the layer"),
                    Errno.ENOENT => Unsafe(entryName, $"the directory \"{relative}\" does not exist in the layer"),
                    _ => Failed("openat2", relative, errno),
                };
            }

            var slash = relative.LastIndexOf('/');
            var parent = OpenDir(slash < 0 ? "" : relative[..slash], create: true, entryName);
            fixed (byte* p = Encode(slash < 0 ? relative : relative[(slash + 1)..], _name3))
            {
                if (LibcAt.MkdirAt(parent, p, 0x1ED) != 0 && Libc.LastErrno != Errno.EEXIST)
                {
                    throw Failed("mkdirat", relative, Libc.LastErrno);
                }
            }

            fd = Libc.OpenAt2(_root, relative, flags, 0, resolve);
            if (fd < 0)
            {
                // It exists but cannot be opened as a directory: a dangling symlink or a file in the way.
                throw Unsafe(entryName, $"\"{relative}\" exists in the layer but does not lead to a directory inside it ({Errno.Name(Libc.LastErrno)})");
            }
        }

        _dirs[relative] = fd;
        // What the directory really is (it may be reached through a symlink, or made here in a setgid parent).
        var empty = stackalloc byte[1];
        empty[0] = 0;
        if (LibcAt.FstatAt(fd, empty, Consts.AT_EMPTY_PATH, out var st) && (st.Mode & 0x400) != 0)
        {
            _setgid.Add(relative);
        }
        else
        {
            _setgid.Remove(relative);
        }

        return fd;
    }

    // The entry being replaced: the current entry's path, or for a whiteout its target beside it.
    private string RemovedPath(string name)
    {
        var slash = _current.LastIndexOf('/');
        var parent = slash < 0 ? "" : _current[..slash];
        return parent.Length == 0 ? name : parent + "/" + name;
    }

    private void ForgetDirsUnder(string path)
    {
        foreach (var key in _dirs.Keys.Where(k => k == path || k.StartsWith(path + "/", StringComparison.Ordinal)).ToList())
        {
            Libc.Close(_dirs[key]);
            _dirs.Remove(key);
        }
    }

    private void InvalidateDirs()
    {
        foreach (var fd in _dirs.Values)
        {
            Libc.Close(fd);
        }

        _dirs.Clear();
    }

    private void SetXattrFd(int fd, string key, byte[] value, string entryName)
    {
        if (SkipXattr(key))
        {
            return;
        }

        fixed (byte* k = Encode(key, _key))
        fixed (byte* v = value)
        {
            if (LibcAt.FSetXattr(fd, k, v, value.Length, 0) != 0)
            {
                XattrFailed(key, entryName, Libc.LastErrno);
            }
        }
    }

    private void SetXattrThroughFd(int dir, string? name, string key, ReadOnlySpan<byte> value, bool follow, string entryName)
    {
        if (name is not null && SkipXattr(key))
        {
            return;
        }

        var path = name is null ? $"/proc/self/fd/{dir}" : $"/proc/self/fd/{dir}/{name}";
        var pathBytes = Libc.Utf8(path);
        fixed (byte* p = pathBytes)
        fixed (byte* k = Encode(key, _key))
        fixed (byte* v = value)
        {
            var result = follow ? LibcAt.SetXattr(p, k, v, value.Length, 0) : LibcAt.LSetXattr(p, k, v, value.Length, 0);
            if (result != 0)
            {
                XattrFailed(key, entryName, Libc.LastErrno);
            }
        }
    }

    private bool SkipXattr(string key)
    {
        if (key.StartsWith("trusted.overlay.", StringComparison.Ordinal))
        {
            _log.LogDebug("dropping the xattr {Key}: it would steer the overlay mount", key);
            return true;
        }

        return false;
    }

    private void XattrFailed(string key, string entryName, int errno)
    {
        // Filesystems without a namespace (security.selinux on a host without SELinux) refuse it; docker ignores that too.
        if (errno is Errno.EOPNOTSUPP or Errno.EPERM or Errno.EACCES)
        {
            _log.LogDebug("could not set the xattr {Key} on {Name}: {Error}", key, entryName, Errno.Describe(errno));
            return;
        }

        throw Failed("setxattr " + key, entryName, errno);
    }

    private static void WriteAll(int fd, ReadOnlySpan<byte> data, string name)
    {
        fixed (byte* p = data)
        {
            var done = 0;
            while (done < data.Length)
            {
                var n = LibcAt.Write(fd, p + done, data.Length - done);
                if (n < 0)
                {
                    var errno = Libc.LastErrno;
                    if (errno == Errno.EINTR)
                    {
                        continue;
                    }

                    throw Failed("write", name, errno);
                }

                done += (int)n;
            }
        }
    }

    private static void PWriteAll(int fd, ReadOnlySpan<byte> data, long offset, string name)
    {
        fixed (byte* p = data)
        {
            var done = 0;
            while (done < data.Length)
            {
                var n = LibcAt.PWrite(fd, p + done, data.Length - done, offset + done);
                if (n < 0)
                {
                    var errno = Libc.LastErrno;
                    if (errno == Errno.EINTR)
                    {
                        continue;
                    }

                    throw Failed("pwrite", name, errno);
                }

                done += (int)n;
            }
        }
    }

    /// <summary>Lexically cleans an archive name into (full, parent, last component) relative to the root.</summary>
    private (string Full, string Parent, string Name) Clean(string unsafePath, string entryName)
    {
        if (unsafePath.Contains('\0'))
        {
            throw Unsafe(entryName, "the name holds a NUL byte");
        }

        _components.Clear();
        foreach (var part in unsafePath.Split('/'))
        {
            if (part is "" or ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (_components.Count == 0)
                {
                    throw Unsafe(entryName, $"\"{unsafePath}\" leads out of the layer's root");
                }

                _components.RemoveAt(_components.Count - 1);
                continue;
            }

            _components.Add(part);
        }

        if (_components.Count == 0)
        {
            return ("", "", "");
        }

        var name = _components[^1];
        var parent = _components.Count == 1 ? "" : string.Join("/", System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_components)[..^1]);
        return (parent.Length == 0 ? name : parent + "/" + name, parent, name);
    }

    private static byte[] Encode(string text, byte[] buffer)
    {
        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (max + 1 > buffer.Length)
        {
            return Libc.Utf8(text);
        }

        var n = Encoding.UTF8.GetBytes(text, buffer);
        buffer[n] = 0;
        return buffer;
    }

    private static TimeSpec Mtime(TarEntry entry) => new() { Seconds = entry.MtimeSeconds, Nanoseconds = entry.MtimeNanoseconds };

    private static TimeSpec Atime(TarEntry entry) => entry.AtimeSeconds is { } s
        ? new TimeSpec { Seconds = Math.Max(s, entry.MtimeSeconds), Nanoseconds = s >= entry.MtimeSeconds ? entry.AtimeNanoseconds : entry.MtimeNanoseconds }
        : Mtime(entry);

    private static void Check(int result, string call, string name)
    {
        if (result < 0)
        {
            throw Failed(call, name, Libc.LastErrno);
        }
    }

    private static ContainerEngineException Failed(string call, string name, int errno) =>
        new("LayerExtractionFailed", $"Extracting \"{name}\" failed: {call}: {Errno.Describe(errno)}.", ContainerErrorKind.OperationFailed, name);

    private static ContainerEngineException Unsafe(string name, string why) =>
        new("LayerUnsafe", $"The layer entry \"{name}\" is refused: {why}. Nothing of the layer was kept.", ContainerErrorKind.InvalidArgument, name);
}
