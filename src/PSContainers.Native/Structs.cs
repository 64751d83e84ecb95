namespace PSContainers.Native;

/// <summary>struct rlimit.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct RLimit
{
    public ulong Current;
    public ulong Max;
}
