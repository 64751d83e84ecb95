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

    public string Data => $"lowerdir={string.Join(':', Lowers)},upperdir={Upper},workdir={Work}";

    /// <summary>Mounts the overlay unless something is mounted on MERGED already (a monitor restarted by the engine).</summary>
    public void Mount()
    {
        if (IsMountPoint(Merged))
        {
            return;
        }

        if (Libc.Mount("overlay", Merged, "overlay", 0, Data) == 0)
        {
            return;
        }

        // An upper or lower once used with another overlay carries an index that makes the kernel refuse (ESTALE/EINVAL).
        var first = Libc.LastErrno;
        if (Libc.Mount("overlay", Merged, "overlay", 0, Data + ",index=off") != 0)
        {
            throw new SyscallException("mount overlay", Merged, first);
        }
    }

    /// <summary>Unmounts MERGED; retries while busy, then detaches lazily.</summary>
    public void Unmount()
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
