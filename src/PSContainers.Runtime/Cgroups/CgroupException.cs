namespace PSContainers.Runtime.Cgroups;

/// <summary>A cgroup operation failed; carries the file, the value written and the errno when there was one.</summary>
public sealed class CgroupException : Exception
{
    public CgroupException(string message) : base(message) { }

    public CgroupException(string message, Exception inner) : base(message, inner) { }

    public CgroupException(string message, string? path, string? value, int errno, Exception? inner = null)
        : base(message, inner)
    {
        Path = path;
        Value = value;
        Errno = errno;
    }

    /// <summary>The cgroup file or directory involved, when there is one.</summary>
    public string? Path { get; }

    /// <summary>The value that was being written, when the failure was a write.</summary>
    public string? Value { get; }

    /// <summary>The errno from the kernel, or 0.</summary>
    public int Errno { get; }
}
