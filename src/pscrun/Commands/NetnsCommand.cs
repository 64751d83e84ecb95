using PSContainers.Native;

namespace PSContainers.Pscrun.Commands;

/// <summary>`netns create PATH [--unprivileged-ports]`: a new network namespace with lo up, kept alive by a bind mount at PATH (as `ip netns add` does).</summary>
/// <remarks>
/// The engine runs this before a container on a CNI network starts: the plugins configure the namespace at PATH,
/// the container joins it (the spec's network namespace path), and it outlives the container's processes until
/// the engine has run DEL in it, so the bridge plugin can still find the address whose NAT rules it removes.
/// </remarks>
internal static class NetnsCommand
{
    public static int Netns(ArgReader reader)
    {
        var verb = reader.Next();
        var path = Path.GetFullPath(reader.Next());
        // A container with a user namespace of its own does not own this namespace, so binding a port below 1024
        // would need a capability it cannot have: as Docker does for every container, all ports are unprivileged.
        var unprivilegedPorts = !reader.AtEnd && reader.Next() == "--unprivileged-ports";
        if (!reader.AtEnd || verb != "create")
        {
            throw new UsageException("usage: pscrun netns create PATH [--unprivileged-ports]");
        }

        // Only this thread changes namespace (CLONE_NEWNET needs no single-threaded process); its namespace is what gets bound.
        Libc.Check(Libc.Unshare(Consts.CLONE_NEWNET), "unshare", "CLONE_NEWNET");
        var fd = Libc.Open(path, Consts.O_RDONLY | Consts.O_CREAT | Consts.O_EXCL | Consts.O_CLOEXEC, 0x1A4);
        Libc.Check(fd, "create", path);
        Libc.Close(fd);
        try
        {
            Libc.Check(Libc.Mount("/proc/thread-self/ns/net", path, null, Consts.MS_BIND, null), "mount", path);
            try
            {
                NetLink.SetLinkUp("lo");
                if (unprivilegedPorts)
                {
                    // /proc/sys/net shows the namespace of the thread that opens it: this one, just made.
                    File.WriteAllText("/proc/sys/net/ipv4/ip_unprivileged_port_start", "0");
                }
            }
            catch
            {
                Libc.Umount2(path, Consts.MNT_DETACH);
                throw;
            }
        }
        catch
        {
            File.Delete(path);
            throw;
        }

        return 0;
    }
}
