namespace PSContainers.Native;

/// <summary>An owned file descriptor that is closed exactly once.</summary>
public sealed class SafeFd : SafeHandle
{
    public SafeFd(int fd, bool ownsHandle = true) : base(new IntPtr(-1), ownsHandle)
    {
        SetHandle(new IntPtr(fd));
    }

    public int Fd => (int)handle;

    public override bool IsInvalid => (int)handle < 0;

    public static SafeFd Open(string path, int flags, uint mode = 0)
    {
        var fd = Libc.Open(path, flags, mode);
        Libc.Check(fd, "open", path);
        return new SafeFd(fd);
    }

    /// <summary>Gives up ownership and returns the raw number.</summary>
    public int Release()
    {
        var fd = (int)handle;
        SetHandleAsInvalid();
        return fd;
    }

    protected override bool ReleaseHandle()
    {
        return Libc.Close((int)handle) == 0;
    }
}
