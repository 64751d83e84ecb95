namespace PSContainers.Native;

/// <summary>struct signalfd_siginfo (128 bytes); the fields the monitor reads.</summary>
[StructLayout(LayoutKind.Explicit, Size = 128)]
public struct SignalFdInfo
{
    [FieldOffset(0)] public uint Signo;
    [FieldOffset(16)] public uint Pid;
}
