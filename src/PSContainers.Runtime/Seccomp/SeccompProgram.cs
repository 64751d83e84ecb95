namespace PSContainers.Runtime.Seccomp;

/// <summary>A compiled seccomp filter: the BPF instructions and the SECCOMP_FILTER_FLAG_* bits to load it with.</summary>
public sealed class SeccompProgram
{
    public SeccompProgram(SockFilter[] instructions, uint flags, IReadOnlyList<string> skippedNames)
    {
        Instructions = instructions;
        Flags = flags;
        SkippedNames = skippedNames;
    }

    public SockFilter[] Instructions { get; }

    public uint Flags { get; }

    /// <summary>Syscall names the profile lists that none of the filter's architectures (x86_64, i386 when listed) has (skipped, as runc and crun do).</summary>
    public IReadOnlyList<string> SkippedNames { get; }
}
