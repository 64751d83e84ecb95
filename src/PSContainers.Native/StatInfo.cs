namespace PSContainers.Native;

/// <summary>The fields of struct stat that file-tree code reads.</summary>
public struct StatInfo
{
    public ulong Dev;
    public ulong Ino;
    public ulong Nlink;
    public uint Mode;
    public uint Uid;
    public uint Gid;
    public ulong Rdev;
    public long Size;
    public long Blocks;
    public long MtimeSec;
    public long MtimeNsec;

    public readonly uint Type => Mode & 0xF000;
}
