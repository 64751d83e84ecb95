namespace PSContainers.Native;

/// <summary>struct __user_cap_data_struct (two of them make a 64-bit set).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct CapUserData
{
    public uint Effective;
    public uint Permitted;
    public uint Inheritable;
}
