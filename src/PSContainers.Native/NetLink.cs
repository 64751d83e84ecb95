using System.Buffers.Binary;
using System.Text;

namespace PSContainers.Native;

/// <summary>The few rtnetlink requests the engine makes itself (deleting a bridge it no longer needs), without the ip tool.</summary>
public static unsafe class NetLink
{
    private const int AF_NETLINK = 16;
    private const int SOCK_RAW = 3;
    private const int NETLINK_ROUTE = 0;
    private const ushort RTM_DELLINK = 17;
    private const ushort NLMSG_ERROR = 2;
    private const ushort NLM_F_REQUEST = 1;
    private const ushort NLM_F_ACK = 4;
    private const ushort IFLA_IFNAME = 3;
    private const int ENODEV = 19;

    /// <summary>Deletes the network interface of that name in this process's network namespace; false when there is none.</summary>
    public static bool DeleteLinkIfExists(string name)
    {
        var nameBytes = Encoding.ASCII.GetBytes(name + "\0");
        var attrLen = 4 + nameBytes.Length;
        var total = 16 + 16 + Align(attrLen);
        var message = new byte[total];
        var span = message.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)total);
        BinaryPrimitives.WriteUInt16LittleEndian(span[4..], RTM_DELLINK);
        BinaryPrimitives.WriteUInt16LittleEndian(span[6..], NLM_F_REQUEST | NLM_F_ACK);
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], 1);
        // ifinfomsg (16 bytes) stays zero: family AF_UNSPEC, index 0, so the kernel looks the link up by IFLA_IFNAME.
        BinaryPrimitives.WriteUInt16LittleEndian(span[32..], (ushort)attrLen);
        BinaryPrimitives.WriteUInt16LittleEndian(span[34..], IFLA_IFNAME);
        nameBytes.CopyTo(span[36..]);

        var fd = Libc.Socket(AF_NETLINK, SOCK_RAW | Consts.SOCK_CLOEXEC, NETLINK_ROUTE);
        Libc.Check(fd, "socket", "netlink");
        try
        {
            fixed (byte* p = message)
            {
                Libc.Check((long)Libc.Send(fd, p, total, 0), "send", "netlink RTM_DELLINK " + name);
            }

            var reply = new byte[4096];
            fixed (byte* r = reply)
            {
                var n = (long)Libc.Read(fd, r, reply.Length);
                Libc.Check(n, "recv", "netlink RTM_DELLINK " + name);
                if (n < 20 || BinaryPrimitives.ReadUInt16LittleEndian(reply.AsSpan(4)) != NLMSG_ERROR)
                {
                    throw new SyscallException("netlink", name, Errno.EIO);
                }

                var error = -BinaryPrimitives.ReadInt32LittleEndian(reply.AsSpan(16));
                if (error == ENODEV)
                {
                    return false;
                }

                if (error != 0)
                {
                    throw new SyscallException("netlink RTM_DELLINK", name, error);
                }

                return true;
            }
        }
        finally
        {
            Libc.Close(fd);
        }
    }

    /// <summary>Sets IFF_UP on an interface of this thread's network namespace (lo: the kernel then gives it 127.0.0.1 and ::1).</summary>
    public static void SetLinkUp(string name)
    {
        const int AF_INET = 2, SOCK_DGRAM = 2;
        const ulong SIOCGIFFLAGS = 0x8913, SIOCSIFFLAGS = 0x8914;
        const short IFF_UP = 1;
        var fd = Libc.Socket(AF_INET, SOCK_DGRAM | Consts.SOCK_CLOEXEC, 0);
        Libc.Check(fd, "socket", "set " + name + " up");
        try
        {
            // struct ifreq: the name (IFNAMSIZ 16), then a union whose first member here is ifr_flags.
            var ifreq = stackalloc byte[40];
            new Span<byte>(ifreq, 40).Clear();
            Encoding.ASCII.GetBytes(name).AsSpan().CopyTo(new Span<byte>(ifreq, 15));
            Libc.Check(Libc.Ioctl(fd, SIOCGIFFLAGS, ifreq), "ioctl SIOCGIFFLAGS", name);
            *(short*)(ifreq + 16) |= IFF_UP;
            Libc.Check(Libc.Ioctl(fd, SIOCSIFFLAGS, ifreq), "ioctl SIOCSIFFLAGS", name);
        }
        finally
        {
            Libc.Close(fd);
        }
    }

    private static int Align(int length) => (length + 3) & ~3;
}
