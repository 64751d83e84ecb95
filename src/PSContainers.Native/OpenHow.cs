namespace PSContainers.Native;

/// <summary>struct open_how for openat2.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct OpenHow
{
    public ulong Flags;
    public ulong Mode;
    public ulong Resolve;
}
