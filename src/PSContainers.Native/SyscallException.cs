namespace PSContainers.Native;

/// <summary>A failed system call: names the call, the path or object it worked on, and errno.</summary>
public sealed class SyscallException : Exception
{
    public SyscallException(string call, string? path, int errno)
        : base(Format(call, path, errno))
    {
        Call = call;
        Path = path;
        Errno = errno;
    }

    public string Call { get; }

    public string? Path { get; }

    public int Errno { get; }

    public string ErrnoName => Native.Errno.Name(Errno);

    private static string Format(string call, string? path, int errno)
    {
        var where = string.IsNullOrEmpty(path) ? string.Empty : " " + path;
        return $"{call}{where}: {Native.Errno.Describe(errno)}";
    }
}
