namespace PSContainers.Core.Images.Archive;

/// <summary>One member of a layer tar after its PAX and GNU extension headers were folded in; reused from entry to entry.</summary>
internal sealed class TarEntry
{
    public const byte Regular = (byte)'0', RegularOld = 0, HardLink = (byte)'1', Symlink = (byte)'2', CharDevice = (byte)'3',
        BlockDevice = (byte)'4', Directory = (byte)'5', Fifo = (byte)'6', Contiguous = (byte)'7', GnuSparse = (byte)'S';

    public string Name = "";
    public string LinkName = "";
    public byte Type;
    public uint Mode;
    public uint Uid;
    public uint Gid;

    /// <summary>Bytes of data stored in the archive for this entry (for sparse files, only the data segments).</summary>
    public long Size;

    /// <summary>The file's length once extracted (differs from Size for sparse files).</summary>
    public long RealSize;

    public long MtimeSeconds;
    public long MtimeNanoseconds;
    public long? AtimeSeconds;
    public long AtimeNanoseconds;
    public uint DevMajor;
    public uint DevMinor;
    public readonly List<KeyValuePair<string, byte[]>> Xattrs = [];

    /// <summary>Data segments of a sparse file (offset, length) in archive order; null for ordinary files.</summary>
    public List<(long Offset, long Length)>? Sparse;

    /// <summary>PAX GNU.sparse 1.0: the map is stored at the start of the data.</summary>
    public bool SparseMapInData;

    public bool IsRegular => Type is Regular or RegularOld or Contiguous or GnuSparse;

    public void Reset()
    {
        Name = "";
        LinkName = "";
        Type = 0;
        Mode = 0;
        Uid = 0;
        Gid = 0;
        Size = 0;
        RealSize = 0;
        MtimeSeconds = 0;
        MtimeNanoseconds = 0;
        AtimeSeconds = null;
        AtimeNanoseconds = 0;
        DevMajor = 0;
        DevMinor = 0;
        Xattrs.Clear();
        Sparse = null;
        SparseMapInData = false;
    }
}
