namespace PSContainers.Native;

/// <summary>struct winsize.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct WinSize
{
    public ushort Rows;
    public ushort Cols;
    public ushort XPixel;
    public ushort YPixel;
}
