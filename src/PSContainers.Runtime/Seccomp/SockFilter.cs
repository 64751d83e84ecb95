using System.Runtime.InteropServices;

namespace PSContainers.Runtime.Seccomp;

/// <summary>One classic BPF instruction (struct sock_filter): what seccomp(2) takes, eight bytes each.</summary>
[StructLayout(LayoutKind.Sequential)]
public readonly record struct SockFilter(ushort Code, byte Jt, byte Jf, uint K)
{
    public override string ToString() => $"{{ 0x{Code:x2}, {Jt}, {Jf}, 0x{K:x8} }}";
}
