using PSContainers.Native;
using PSContainers.Runtime.Spec;

namespace PSContainers.Core.Containers;

/// <summary>The host's device nodes as OCI linux.devices entries: what docker run --privileged puts in the container's /dev.</summary>
public static class HostDevices
{
    // Directories of /dev whose nodes belong to the host's own sessions or are made per container anyway.
    private static readonly HashSet<string> SkippedDirectories = new(StringComparer.Ordinal) { "pts", "shm", "mqueue", "fd", ".udev", ".lxc", ".lxd-mounts" };

    // The runtime makes these in every container (and the console is the container's own terminal).
    private static readonly HashSet<string> RuntimeDevices = new(StringComparer.Ordinal)
    {
        "/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty", "/dev/ptmx", "/dev/console",
    };

    /// <summary>Every character and block device under root (the host's /dev), sorted by path; symlinks are not followed.</summary>
    public static List<LinuxDevice> List(string root = "/dev")
    {
        var devices = new List<LinuxDevice>();
        Walk(root, root, devices, depth: 0);
        devices.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return devices;
    }

    private static void Walk(string root, string directory, List<LinuxDevice> devices, int depth)
    {
        IEnumerable<string> entries;
        try
        {
            entries = Directory.EnumerateFileSystemEntries(directory).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }

        foreach (var path in entries)
        {
            if (!LibcAt.Lstat(path, out var st))
            {
                continue;
            }

            var containerPath = "/dev" + path[root.Length..];
            switch (st.Type)
            {
                // /dev is shallow (/dev/cpu/N/cpuid, /dev/net/tun, /dev/dri/...): the depth bound only guards against a loop of bind mounts.
                case Consts.S_IFDIR when depth < 4 && !SkippedDirectories.Contains(Path.GetFileName(path)):
                    Walk(root, path, devices, depth + 1);
                    break;
                case Consts.S_IFCHR or Consts.S_IFBLK when !RuntimeDevices.Contains(containerPath):
                    devices.Add(new LinuxDevice
                    {
                        Path = containerPath,
                        Type = st.Type == Consts.S_IFCHR ? "c" : "b",
                        Major = (long)(((st.Rdev >> 8) & 0xfff) | ((st.Rdev >> 32) & ~0xfffUL)),
                        Minor = (long)((st.Rdev & 0xff) | ((st.Rdev >> 12) & ~0xffUL)),
                        FileMode = st.Mode & 0xFFF,
                        Uid = st.Uid,
                        Gid = st.Gid,
                    });
                    break;
            }
        }
    }
}
