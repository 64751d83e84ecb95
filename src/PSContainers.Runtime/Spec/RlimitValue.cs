using System.Runtime.InteropServices;

namespace PSContainers.Runtime.Spec;

// struct rlimit: two rlim_t (unsigned long) values.
[StructLayout(LayoutKind.Sequential)]
internal struct RlimitValue
{
    public ulong Current;
    public ulong Maximum;
}
