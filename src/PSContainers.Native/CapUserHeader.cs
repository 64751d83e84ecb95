namespace PSContainers.Native;

/// <summary>struct __user_cap_header_struct.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct CapUserHeader
{
    public const uint Version3 = 0x20080522;
    public uint Version;
    public int Pid;
}
