namespace PSContainers.Runtime.Monitor;

/// <summary>An overlayfs the monitor mounts before the container starts and unmounts after it exited.</summary>
public sealed record OverlayMount(IReadOnlyList<string> Lowers, string Upper, string Work, string Merged)
{
    /// <summary>Parses LOWER1[:LOWER2...],UPPER,WORK,MERGED.</summary>
    public static OverlayMount Parse(string text)
    {
        var parts = text.Split(',');
        if (parts.Length != 4 || parts.Any(p => p.Length == 0))
        {
            throw new ArgumentException($"invalid --overlay \"{text}\": expected LOWER1[:LOWER2...],UPPER,WORK,MERGED");
        }

        var lowers = parts[0].Split(':', StringSplitOptions.RemoveEmptyEntries).Select(Path.GetFullPath).ToList();
        return new OverlayMount(lowers, Path.GetFullPath(parts[1]), Path.GetFullPath(parts[2]), Path.GetFullPath(parts[3]));
    }

    /// <summary>The --overlay argument Parse reads.</summary>
    public string ToArgument() => $"{string.Join(':', Lowers)},{Upper},{Work},{Merged}";

    /// <summary>The monitor flags that carry IdMap, IdMapLowers and IdMappedBinds (read back by WithIdMapFlags).</summary>
    public IEnumerable<string> IdMapArguments()
    {
        if (IdMap is null)
        {
            yield break;
        }

        yield return "--idmap";
        yield return IdMap;
        if (IdMapLowers)
        {
            yield return "--idmap-lowers";
        }

        if (IdMappedBinds.Count > 0)
        {
            yield return "--idmap-binds";
            yield return string.Join('\n', IdMappedBinds);
        }
    }

    /// <summary>This overlay with the idmap flags of the monitor's command line (--idmap MAPS, --idmap-lowers, --idmap-binds SOURCES).</summary>
    public OverlayMount WithIdMapFlags(IReadOnlyDictionary<string, string> flags)
    {
        if (!flags.TryGetValue("--idmap", out var maps))
        {
            return flags.ContainsKey("--idmap-lowers") || flags.ContainsKey("--idmap-binds")
                ? throw new ArgumentException("--idmap-lowers and --idmap-binds need --idmap")
                : this;
        }

        Mounts.IdMappedMounts.Parse(maps);
        return this with
        {
            IdMap = maps,
            IdMapLowers = flags.ContainsKey("--idmap-lowers"),
            IdMappedBinds = flags.TryGetValue("--idmap-binds", out var binds) ? binds.Split('\n', StringSplitOptions.RemoveEmptyEntries) : [],
        };
    }

    public string Data => $"lowerdir={string.Join(':', Lowers)},upperdir={Upper},workdir={Work}";

    /// <summary>
    /// Mount with overlayfs' "volatile" option (Linux 5.10+): no sync of the upper filesystem, on writes or at
    /// unmount. For containers whose writable layer is thrown away when they exit (-Remove, as podman does for
    /// --rm): there, a journal commit at every unmount is pure cost. Ignored where the kernel lacks it.
    /// </summary>
    public bool Volatile { get; init; }

    /// <summary>
    /// A mapped container's id maps (IdMappedMounts.Format): the lowers are mounted through idmapped clones of
    /// themselves when IdMapLowers is set, and IdMappedBinds (volumes) are cloned idmapped to BindTarget(i).
    /// The upper directory is not mapped: what the container writes is stored with its host ids.
    /// </summary>
    public string? IdMap { get; init; }

    public bool IdMapLowers { get; init; }

    public IReadOnlyList<string> IdMappedBinds { get; init; } = [];

    /// <summary>Where the idmapped clone of the index-th bind source is mounted while the container runs.</summary>
    public static string BindTarget(string merged, int index) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(merged).TrimEnd('/'))!, "idmap", "v" + index.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private string IdMapDir => Path.Combine(Path.GetDirectoryName(Merged.TrimEnd('/'))!, "idmap");

    /// <summary>The kernel copies mount data into one page: longer option strings fail with EINVAL.</summary>
    public const int MaxDataLength = 4095;

    /// <summary>Mounts the overlay unless something is mounted on MERGED already (a monitor restarted by the engine).</summary>
    /// <remarks>
    /// Deep images make lowerdir= longer than a page. Then, as podman and containerd do, the lowers go to the kernel one
    /// at a time (fsconfig "lowerdir+", Linux 6.8+), or else relative to their common directory after a chdir there
    /// (the engine passes short links SNAPSHOTS/l/ID, so each costs ~25 bytes).
    /// </remarks>
    public void Mount()
    {
        if (IsMountPoint(Merged))
        {
            return;
        }

        if (IdMap is null)
        {
            MountPlain();
            return;
        }

        var (uids, gids) = Mounts.IdMappedMounts.Parse(IdMap);
        var userns = Mounts.IdMappedMounts.OpenUserNamespace(uids, gids);
        var lowers = new List<string>();
        try
        {
            for (var i = 0; i < IdMappedBinds.Count; i++)
            {
                var target = BindTarget(Merged, i);
                Directory.CreateDirectory(target);
                if (!IsMountPoint(target))
                {
                    Mounts.IdMappedMounts.Mount(IdMappedBinds[i], target, userns);
                }
            }

            if (!IdMapLowers)
            {
                MountPlain();
                return;
            }

            for (var i = 0; i < Lowers.Count; i++)
            {
                var target = Path.Combine(IdMapDir, "l" + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                Directory.CreateDirectory(target);
                Mounts.IdMappedMounts.Mount(Lowers[i], target, userns);
                lowers.Add(target);
            }

            // overlayfs takes private clones of its layers: the idmapped lowers can go as soon as it is mounted.
            (this with { Lowers = lowers, IdMap = null }).MountPlain();
        }
        catch
        {
            UnmountBinds();
            throw;
        }
        finally
        {
            Libc.Close(userns);
            foreach (var lower in lowers)
            {
                Libc.Umount2(lower, Consts.MNT_DETACH);
                Directory.Delete(lower);
            }
        }
    }

    private void UnmountBinds()
    {
        for (var i = 0; i < IdMappedBinds.Count; i++)
        {
            var target = BindTarget(Merged, i);
            for (var attempt = 0; attempt < 4 && IsMountPoint(target); attempt++)
            {
                Libc.Umount2(target, Consts.MNT_DETACH);
            }

            if (Directory.Exists(target) && !IsMountPoint(target))
            {
                Directory.Delete(target);
            }
        }
    }

    private void MountPlain()
    {
        // A volatile mount leaves this marker; the kernel refuses to mount the pair again while it is there (after
        // a crash the upper directory may have lost writes, which a removable container's layer can afford).
        var marker = Path.Combine(Work, "work", "incompat", "volatile");
        if (Directory.Exists(marker))
        {
            Directory.Delete(marker, recursive: true);
        }

        if (Data.Length <= MaxDataLength)
        {
            MountClassic(Data);
            return;
        }

        var errno = MountLowerByLower(indexOff: false);
        if (errno is Errno.ESTALE or Errno.EINVAL)
        {
            errno = MountLowerByLower(indexOff: true);
        }

        if (errno == 0)
        {
            return;
        }

        MountRelative();
    }

    private void MountClassic(string data)
    {
        if (Volatile && Libc.Mount("overlay", Merged, "overlay", 0, data + ",volatile") == 0)
        {
            return;
        }

        if (Libc.Mount("overlay", Merged, "overlay", 0, data) == 0)
        {
            return;
        }

        // An upper or lower once used with another overlay carries an index that makes the kernel refuse (ESTALE/EINVAL).
        var first = Libc.LastErrno;
        if (Libc.Mount("overlay", Merged, "overlay", 0, data + ",index=off") != 0)
        {
            throw new SyscallException("mount overlay", Merged, first);
        }
    }

    /// <summary>Mounts with lowerdirs relative to their common parent directory, from a chdir there.</summary>
    internal void MountRelative()
    {
        var parent = Path.GetDirectoryName(Lowers[0]);
        if (parent is null || Lowers.Any(l => Path.GetDirectoryName(l) != parent))
        {
            throw new ArgumentException($"the overlay's {Lowers.Count} lower directories make an option string over {MaxDataLength} bytes and do not share one directory to mount them from");
        }

        var data = $"lowerdir={string.Join(':', Lowers.Select(Path.GetFileName))},upperdir={Upper},workdir={Work}";
        if (data.Length > MaxDataLength)
        {
            throw new ArgumentException($"the overlay has too many lower directories ({Lowers.Count}) for one mount");
        }

        var saved = Libc.Open(".", Consts.O_PATH | Consts.O_DIRECTORY | Consts.O_CLOEXEC, 0);
        Libc.Check(saved, "open", ".");
        try
        {
            Libc.Check(Libc.Chdir(parent), "chdir", parent);
            MountClassic(data);
        }
        finally
        {
            Libc.Fchdir(saved);
            Libc.Close(saved);
        }
    }

    // fsopen/fsconfig/fsmount/move_mount: 0 on success, else errno (ENOSYS or EINVAL where "lowerdir+" is unknown).
    private unsafe int MountLowerByLower(bool indexOff)
    {
        const long fsopen = 430, fsconfig = 431, fsmount = 432, moveMount = 429;
        const long setString = 1, cmdCreate = 6, cloexec = 1, emptyPath = 4;
        var type = Libc.Utf8("overlay");
        int fs;
        fixed (byte* t = type)
        {
            fs = (int)Libc.Syscall(fsopen, (long)t, cloexec, 0, 0, 0);
        }

        if (fs < 0)
        {
            return Libc.LastErrno;
        }

        try
        {
            int Set(string key, string? value)
            {
                var k = Libc.Utf8(key);
                var v = value is null ? null : Libc.Utf8(value);
                fixed (byte* pk = k)
                fixed (byte* pv = v)
                {
                    return (int)Libc.Syscall(fsconfig, fs, value is null ? 0 : setString, (long)pk, (long)pv, 0) < 0 ? Libc.LastErrno : 0;
                }
            }

            foreach (var lower in Lowers)
            {
                if (Set("lowerdir+", lower) is var e and not 0)
                {
                    return e;
                }
            }

            if (Set("upperdir", Upper) is var u and not 0)
            {
                return u;
            }

            if (Set("workdir", Work) is var w and not 0)
            {
                return w;
            }

            if (indexOff && Set("index", "off") is var i and not 0)
            {
                return i;
            }

            // A kernel without it says EINVAL here; the overlay then syncs as usual.
            if (Volatile)
            {
                Set("volatile", null);
            }

            if (Libc.Syscall(fsconfig, fs, cmdCreate, 0, 0, 0) < 0)
            {
                return Libc.LastErrno;
            }

            var mnt = (int)Libc.Syscall(fsmount, fs, cloexec, 0, 0, 0);
            if (mnt < 0)
            {
                return Libc.LastErrno;
            }

            try
            {
                var empty = Libc.Utf8("");
                var target = Libc.Utf8(Merged);
                fixed (byte* pe = empty)
                fixed (byte* pt = target)
                {
                    return Libc.Syscall(moveMount, mnt, (long)pe, Consts.AT_FDCWD, (long)pt, emptyPath) < 0 ? Libc.LastErrno : 0;
                }
            }
            finally
            {
                Libc.Close(mnt);
            }
        }
        finally
        {
            Libc.Close(fs);
        }
    }

    /// <summary>Unmounts MERGED; retries while busy, then detaches lazily.</summary>
    public void Unmount()
    {
        try
        {
            UnmountOverlay();
        }
        finally
        {
            UnmountBinds();
        }
    }

    private void UnmountOverlay()
    {
        for (var attempt = 0; attempt < 20 && IsMountPoint(Merged); attempt++)
        {
            if (Libc.Umount2(Merged, 0) == 0)
            {
                return;
            }

            var errno = Libc.LastErrno;
            if (errno == Errno.EINVAL)
            {
                return;
            }

            if (errno != Errno.EBUSY)
            {
                throw new SyscallException("umount2", Merged, errno);
            }

            Thread.Sleep(50);
        }

        if (IsMountPoint(Merged))
        {
            Libc.Check(Libc.Umount2(Merged, Consts.MNT_DETACH), "umount2 MNT_DETACH", Merged);
        }
    }

    /// <summary>Whether /proc/self/mountinfo lists path as a mount point.</summary>
    public static bool IsMountPoint(string path)
    {
        var full = Path.GetFullPath(path).TrimEnd('/');
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var fields = line.Split(' ');
            if (fields.Length > 4 && Unescape(fields[4]) == full)
            {
                return true;
            }
        }

        return false;
    }

    // mountinfo writes space, tab, newline and backslash as \ooo octal.
    private static string Unescape(string field)
    {
        if (!field.Contains('\\'))
        {
            return field;
        }

        var sb = new System.Text.StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && IsOctal(field, i + 1))
            {
                sb.Append((char)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                sb.Append(field[i]);
            }
        }

        return sb.ToString();
    }

    private static bool IsOctal(string s, int start) =>
        start + 3 <= s.Length && s[start] is >= '0' and <= '7' && s[start + 1] is >= '0' and <= '7' && s[start + 2] is >= '0' and <= '7';
}
