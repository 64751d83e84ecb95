namespace PSContainers.Native;

/// <summary>glibc's struct termios (x86-64): the terminal modes tcgetattr and tcsetattr exchange.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct Termios
{
    public uint IFlag;
    public uint OFlag;
    public uint CFlag;
    public uint LFlag;
    public byte Line;
    public fixed byte CC[32];
    public uint ISpeed;
    public uint OSpeed;
}
