namespace PSContainers.Native;

/// <summary>Sends and receives one file descriptor over a unix socket (SCM_RIGHTS).</summary>
public static unsafe class FdPassing
{
    // cmsghdr (16 bytes on x86-64) followed by one int, padded to 8.
    private const int CmsgHeaderSize = 16;
    private const int ControlSize = 24;

    public static void Send(int socket, int fd, string tag)
    {
        var payload = Libc.Utf8(tag);
        var control = stackalloc byte[ControlSize];
        new Span<byte>(control, ControlSize).Clear();
        *(ulong*)control = CmsgHeaderSize + sizeof(int);
        *(int*)(control + 8) = Consts.SOL_SOCKET;
        *(int*)(control + 12) = Consts.SCM_RIGHTS;
        *(int*)(control + CmsgHeaderSize) = fd;
        fixed (byte* p = payload)
        {
            var iov = new IoVec { Base = p, Len = (nuint)(payload.Length - 1 > 0 ? payload.Length - 1 : 1) };
            var msg = new MsgHdr { Iov = &iov, IovLen = 1, Control = control, ControlLen = ControlSize };
            Libc.Check((long)Libc.SendMsg(socket, &msg, 0), "sendmsg", "console socket");
        }
    }

    public static int Receive(int socket)
    {
        var buffer = stackalloc byte[4096];
        var control = stackalloc byte[ControlSize];
        new Span<byte>(control, ControlSize).Clear();
        var iov = new IoVec { Base = buffer, Len = 4096 };
        var msg = new MsgHdr { Iov = &iov, IovLen = 1, Control = control, ControlLen = ControlSize };
        Libc.Check((long)Libc.RecvMsg(socket, &msg, Consts.MSG_CMSG_CLOEXEC), "recvmsg", "console socket");
        if (msg.ControlLen < CmsgHeaderSize + sizeof(int) || *(int*)(control + 12) != Consts.SCM_RIGHTS)
        {
            throw new InvalidOperationException("recvmsg: no file descriptor arrived on the console socket");
        }

        return *(int*)(control + CmsgHeaderSize);
    }

    /// <summary>Connects a new unix stream socket to a path (of any length).</summary>
    public static int ConnectUnix(string path) => UnixSocket.Connect(path);
}
