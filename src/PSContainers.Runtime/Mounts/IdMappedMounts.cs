using System.Globalization;
using PSContainers.Runtime.Container;
using PSContainers.Runtime.Spec;

namespace PSContainers.Runtime.Mounts;

/// <summary>Idmapped mounts (Linux 5.12+): a directory shown with its owners shifted through a user namespace's id maps.</summary>
/// <remarks>
/// The engine's layers and volumes keep the image's own ids on disk; a mapped container sees them through an idmapped
/// clone of each directory, so nothing is chowned and the same layer serves every mapping.
/// </remarks>
public static unsafe class IdMappedMounts
{
    /// <summary>The text form of a pair of maps the monitor takes: "C:H:S[,C:H:S...]/C:H:S[,...]" (uid maps, then gid maps).</summary>
    public static string Format(IReadOnlyList<LinuxIdMapping> uids, IReadOnlyList<LinuxIdMapping> gids)
    {
        static string One(IReadOnlyList<LinuxIdMapping> maps) =>
            string.Join(',', maps.Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.ContainerId}:{m.HostId}:{m.Size}")));
        return One(uids) + "/" + One(gids);
    }

    public static (List<LinuxIdMapping> Uids, List<LinuxIdMapping> Gids) Parse(string text)
    {
        var halves = text.Split('/');
        if (halves.Length != 2)
        {
            throw new ArgumentException($"invalid id maps \"{text}\": expected UIDMAPS/GIDMAPS");
        }

        static List<LinuxIdMapping> One(string part, string whole) => part.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(m =>
        {
            var f = m.Split(':');
            if (f.Length != 3 || !uint.TryParse(f[0], NumberStyles.None, CultureInfo.InvariantCulture, out var c)
                || !uint.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out var h)
                || !uint.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out var s))
            {
                throw new ArgumentException($"invalid id map \"{m}\" in \"{whole}\": expected CONTAINER:HOST:SIZE");
            }

            return new LinuxIdMapping { ContainerId = c, HostId = h, Size = s };
        }).ToList();

        return (One(halves[0], text), One(halves[1], text));
    }

    /// <summary>
    /// A user namespace with these maps, held by an fd (/proc/PID/ns/user of a child that only waits and then exits);
    /// mount_setattr needs one, and the container's own namespace does not exist yet when its root is mounted.
    /// </summary>
    public static int OpenUserNamespace(IReadOnlyList<LinuxIdMapping> uids, IReadOnlyList<LinuxIdMapping> gids)
    {
        var pipe = stackalloc int[2];
        Libc.Check(Libc.Pipe2(pipe, Consts.O_CLOEXEC), "pipe2", "user namespace holder");
        var go = stackalloc byte[1];
        // The child is a copy of a multi-threaded process with one thread: it only waits for a byte and exits.
        var pid = (int)Libc.SyscallRaw(SysNo.Clone, Consts.CLONE_NEWUSER | Consts.SIGCHLD, 0, 0, 0, 0);
        if (pid == 0)
        {
            Libc.ReadRaw(pipe[0], go, 1);
            Libc.ExitRaw(0);
        }

        var errno = Libc.LastErrno;
        Libc.Close(pipe[0]);
        if (pid < 0)
        {
            Libc.Close(pipe[1]);
            throw new SyscallException("clone", "CLONE_NEWUSER", errno);
        }

        try
        {
            WriteMap(pid, "uid_map", uids);
            WriteMap(pid, "gid_map", gids);
            var path = $"/proc/{pid}/ns/user";
            var fd = Libc.Open(path, Consts.O_RDONLY | Consts.O_CLOEXEC, 0);
            Libc.Check(fd, "open", path);
            return fd;
        }
        finally
        {
            go[0] = 1;
            if (Libc.Write(pipe[1], go, 1) != 1)
            {
                Libc.Kill(pid, Consts.SIGKILL);
            }

            Libc.Close(pipe[1]);
            var status = 0;
            while (Libc.WaitPid(pid, &status, 0) < 0 && Libc.LastErrno == Errno.EINTR)
            {
            }
        }
    }

    private static void WriteMap(int pid, string file, IReadOnlyList<LinuxIdMapping> maps)
    {
        var text = string.Concat(maps.Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.ContainerId} {m.HostId} {m.Size}\n")));
        try
        {
            File.WriteAllText($"/proc/{pid}/{file}", text);
        }
        catch (IOException e)
        {
            throw new ContainerException($"writing {file} of the id-mapping namespace: {e.Message}", e);
        }
    }

    /// <summary>Mounts an idmapped clone of source (one mount, not its submounts) on target, an existing directory.</summary>
    public static void Mount(string source, string target, int usernsFd)
    {
        var tree = LibcMountApi.OpenTreeClone(source, recursive: false);
        Libc.Check(tree, "open_tree", source);
        try
        {
            if (LibcMountApi.SetIdmap(tree, usernsFd) != 0)
            {
                var errno = Libc.LastErrno;
                throw new ContainerException($"mount_setattr MOUNT_ATTR_IDMAP on {source}: {Errno.Name(errno)} (the filesystem may not support idmapped mounts)");
            }

            Libc.Check(LibcMountApi.MoveMountTo(tree, target), "move_mount", target);
        }
        finally
        {
            Libc.Close(tree);
        }
    }

    /// <summary>Whether the filesystem at path takes idmapped mounts, tried with a throwaway detached clone.</summary>
    public static bool Supported(string path, int usernsFd)
    {
        var tree = LibcMountApi.OpenTreeClone(path, recursive: false);
        if (tree < 0)
        {
            return false;
        }

        try
        {
            return LibcMountApi.SetIdmap(tree, usernsFd) == 0;
        }
        finally
        {
            Libc.Close(tree);
        }
    }
}
