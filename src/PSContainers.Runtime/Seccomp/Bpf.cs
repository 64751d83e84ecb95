namespace PSContainers.Runtime.Seccomp;

/// <summary>Classic BPF op codes and the seccomp constants a filter is built from (linux/filter.h, linux/seccomp.h).</summary>
public static class Bpf
{
    public const ushort LdAbsW = 0x20;      // BPF_LD | BPF_W | BPF_ABS
    public const ushort AndK = 0x54;        // BPF_ALU | BPF_AND | BPF_K
    public const ushort Ja = 0x05;          // BPF_JMP | BPF_JA
    public const ushort JeqK = 0x15;        // BPF_JMP | BPF_JEQ | BPF_K
    public const ushort JgtK = 0x25;        // BPF_JMP | BPF_JGT | BPF_K
    public const ushort JgeK = 0x35;        // BPF_JMP | BPF_JGE | BPF_K
    public const ushort JsetK = 0x45;       // BPF_JMP | BPF_JSET | BPF_K
    public const ushort RetK = 0x06;        // BPF_RET | BPF_K

    /// <summary>The kernel refuses longer programs (BPF_MAXINSNS).</summary>
    public const int MaxInstructions = 4096;

    // Offsets in struct seccomp_data.
    public const uint OffsetNr = 0, OffsetArch = 4, OffsetArgs = 16;

    public const uint AuditArchX86_64 = 0xC000003E, AuditArchI386 = 0x40000003;
    public const uint X32SyscallBit = 0x40000000;

    public const uint RetKillProcess = 0x80000000, RetKillThread = 0x00000000, RetTrap = 0x00030000, RetErrno = 0x00050000,
        RetUserNotif = 0x7fc00000, RetTrace = 0x7ff00000, RetLog = 0x7ffc0000, RetAllow = 0x7fff0000;
    public const uint RetActionFull = 0xffff0000, RetData = 0x0000ffff;

    public const uint FilterFlagTsync = 1, FilterFlagLog = 2, FilterFlagSpecAllow = 4;
}
