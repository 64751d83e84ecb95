using System.Globalization;
using System.Text;
using PSContainers.Core.Containers;

namespace PSContainers.Core.Images.Archive;

/// <summary>
/// A streaming tar reader for layers: ustar, PAX (path, linkpath, size, ids, times, SCHILY.xattr, GNU.sparse 0.0/0.1/1.0),
/// GNU long names and old GNU sparse members. Entry data is handed out as slices of the decoder's chunks.
/// </summary>
internal sealed class LayerTarReader
{
    private const int Block = 512;
    private readonly IChunkSource _source;
    private readonly CancellationToken _cancellationToken;
    private readonly byte[] _header = new byte[Block];
    private byte[]? _chunk;
    private int _pos;
    private int _len;
    private bool _eof;
    private long _dataRemaining;
    private long _padding;

    public LayerTarReader(IChunkSource source, CancellationToken cancellationToken)
    {
        _source = source;
        _cancellationToken = cancellationToken;
    }

    /// <summary>Data bytes of the current entry not read yet.</summary>
    public long DataRemaining => _dataRemaining;

    /// <summary>Reads the next entry's headers into entry; false at the end of the archive.</summary>
    public bool Next(TarEntry entry)
    {
        entry.Reset();
        string? longName = null, longLink = null;
        Dictionary<string, byte[]>? pax = null;
        List<(long, long)>? paxSparse = null;
        while (true)
        {
            SkipRest();
            if (!ReadBlock(_header))
            {
                return false;
            }

            if (IsZero(_header))
            {
                // End of archive (one zero block is enough for us; what follows is drained for the digest).
                return false;
            }

            VerifyChecksum();
            var type = _header[156];
            var size = ParseNumber(_header.AsSpan(124, 12), "size");
            switch (type)
            {
                case (byte)'x':
                    (pax, paxSparse) = ParsePax(ReadSmall(size, "PAX header"), pax, paxSparse);
                    continue;
                case (byte)'g':
                    // Global PAX headers carry nothing layers need (comments, archive-wide defaults we do not honour).
                    BeginData(size);
                    continue;
                case (byte)'L':
                    longName = CString(ReadSmall(size, "GNU long name"));
                    continue;
                case (byte)'K':
                    longLink = CString(ReadSmall(size, "GNU long link"));
                    continue;
                case (byte)'V' or (byte)'M' or (byte)'N':
                    BeginData(size);
                    continue;
            }

            var magicPosix = _header.AsSpan(257, 6).SequenceEqual("ustar\0"u8);
            var name = CString(_header.AsSpan(0, 100));
            if (magicPosix && _header[345] != 0)
            {
                name = CString(_header.AsSpan(345, 155)) + "/" + name;
            }

            entry.Type = type;
            entry.Name = longName ?? name;
            entry.LinkName = longLink ?? CString(_header.AsSpan(157, 100));
            entry.Mode = (uint)ParseNumber(_header.AsSpan(100, 8), "mode") & 0xFFF;
            entry.Uid = (uint)ParseNumber(_header.AsSpan(108, 8), "uid");
            entry.Gid = (uint)ParseNumber(_header.AsSpan(116, 8), "gid");
            entry.Size = size;
            entry.RealSize = size;
            entry.MtimeSeconds = ParseNumber(_header.AsSpan(136, 12), "mtime");
            if (type is TarEntry.CharDevice or TarEntry.BlockDevice)
            {
                entry.DevMajor = (uint)ParseNumber(_header.AsSpan(329, 8), "devmajor");
                entry.DevMinor = (uint)ParseNumber(_header.AsSpan(337, 8), "devminor");
            }

            if (type == TarEntry.GnuSparse)
            {
                ReadOldGnuSparse(entry);
            }

            if (type == (byte)'D')
            {
                // GNU dumpdir: a directory whose data lists its contents; the list is not needed.
                entry.Type = TarEntry.Directory;
            }

            if (pax is not null)
            {
                ApplyPax(entry, pax, paxSparse);
            }

            if (entry.Type == TarEntry.RegularOld && entry.Name.EndsWith('/'))
            {
                entry.Type = TarEntry.Directory;
            }

            BeginData(entry.Size);
            if (entry.SparseMapInData)
            {
                ReadSparseMapFromData(entry);
            }

            return true;
        }
    }

    /// <summary>The next slice of the current entry's data, at most max bytes; empty when it is all read.</summary>
    public ReadOnlySpan<byte> ReadData(long max)
    {
        if (_dataRemaining == 0 || max <= 0)
        {
            return [];
        }

        if (_pos == _len && !Fill())
        {
            throw Truncated();
        }

        var n = (int)Math.Min(Math.Min(max, _dataRemaining), _len - _pos);
        var span = _chunk.AsSpan(_pos, n);
        _pos += n;
        _dataRemaining -= n;
        return span;
    }

    /// <summary>Reads the rest of the stream so the decoder's digests cover all of it.</summary>
    public void Drain()
    {
        _dataRemaining = 0;
        _padding = 0;
        _pos = _len;
        while (Fill())
        {
            _pos = _len;
        }
    }

    private void BeginData(long size)
    {
        _dataRemaining = size;
        _padding = (Block - (size % Block)) % Block;
    }

    private void SkipRest()
    {
        Skip(_dataRemaining + _padding);
        _dataRemaining = 0;
        _padding = 0;
    }

    private void Skip(long count)
    {
        while (count > 0)
        {
            if (_pos == _len && !Fill())
            {
                throw Truncated();
            }

            var n = (int)Math.Min(count, _len - _pos);
            _pos += n;
            count -= n;
        }
    }

    private bool ReadBlock(Span<byte> destination)
    {
        var got = 0;
        while (got < destination.Length)
        {
            if (_pos == _len && !Fill())
            {
                if (got == 0)
                {
                    return false;
                }

                throw Truncated();
            }

            var n = Math.Min(destination.Length - got, _len - _pos);
            _chunk.AsSpan(_pos, n).CopyTo(destination[got..]);
            _pos += n;
            got += n;
        }

        return true;
    }

    private bool Fill()
    {
        if (_eof)
        {
            return false;
        }

        if (_chunk is not null)
        {
            _source.Return(_chunk);
            _chunk = null;
        }

        if (!_source.TryTake(out var buffer, out var length, _cancellationToken))
        {
            _eof = true;
            _pos = _len = 0;
            return false;
        }

        _chunk = buffer;
        _pos = 0;
        _len = length;
        return true;
    }

    private byte[] ReadSmall(long size, string what)
    {
        if (size is < 0 or > 16 << 20)
        {
            throw Invalid($"a {what} of {size} bytes is larger than any layer needs");
        }

        var data = new byte[size];
        BeginData(size);
        var got = 0;
        while (got < size)
        {
            var span = ReadData(size - got);
            span.CopyTo(data.AsSpan(got));
            got += span.Length;
        }

        return data;
    }

    private static bool IsZero(ReadOnlySpan<byte> block) => !block.ContainsAnyExcept((byte)0);

    private void VerifyChecksum()
    {
        var stored = ParseNumber(_header.AsSpan(148, 8), "checksum");
        long unsigned = 0, signed = 0;
        for (var i = 0; i < Block; i++)
        {
            var b = i is >= 148 and < 156 ? (byte)' ' : _header[i];
            unsigned += b;
            signed += (sbyte)b;
        }

        if (stored != unsigned && stored != signed)
        {
            throw Invalid("a header checksum is wrong (the archive is corrupt or not a tar)");
        }
    }

    /// <summary>Octal ASCII, or GNU base-256 when the first byte has its high bit set.</summary>
    private static long ParseNumber(ReadOnlySpan<byte> field, string what)
    {
        if (field.Length > 0 && (field[0] & 0x80) != 0)
        {
            if (field[0] == 0xff)
            {
                throw Invalid($"a negative {what} in a header");
            }

            long value = field[0] & 0x7f;
            for (var i = 1; i < field.Length; i++)
            {
                if (value > (long.MaxValue >> 8))
                {
                    throw Invalid($"the {what} in a header overflows");
                }

                value = (value << 8) | field[i];
            }

            return value;
        }

        long result = 0;
        var started = false;
        foreach (var b in field)
        {
            if (b is (byte)' ' or 0)
            {
                if (started)
                {
                    break;
                }

                continue;
            }

            if (b is < (byte)'0' or > (byte)'7')
            {
                throw Invalid($"the {what} field of a header is not an octal number");
            }

            started = true;
            result = (result << 3) | (long)(b - '0');
        }

        return result;
    }

    private static string CString(ReadOnlySpan<byte> field)
    {
        var end = field.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? field : field[..end]);
    }

    private static (Dictionary<string, byte[]>, List<(long, long)>?) ParsePax(byte[] data, Dictionary<string, byte[]>? pax, List<(long, long)>? sparse)
    {
        pax ??= new Dictionary<string, byte[]>(StringComparer.Ordinal);
        long? pendingOffset = null;
        var pos = 0;
        while (pos < data.Length)
        {
            if (data[pos] == 0)
            {
                break;
            }

            var space = Array.IndexOf(data, (byte)' ', pos);
            // The length is compared as a remainder: pos + a length near int.MaxValue would overflow past the check.
            if (space < 0 || !int.TryParse(data.AsSpan(pos, space - pos), NumberStyles.None, CultureInfo.InvariantCulture, out var length)
                || length <= space - pos || length > data.Length - pos || data[pos + length - 1] != '\n')
            {
                throw Invalid("a PAX record is malformed");
            }

            var record = data.AsSpan(space + 1, pos + length - space - 2);
            var eq = record.IndexOf((byte)'=');
            if (eq <= 0)
            {
                throw Invalid("a PAX record has no key");
            }

            var key = Encoding.UTF8.GetString(record[..eq]);
            var value = record[(eq + 1)..].ToArray();
            // GNU.sparse 0.0 repeats offset/numbytes pairs: their order is the map.
            if (key == "GNU.sparse.offset")
            {
                pendingOffset = ParseDecimal(value, key);
            }
            else if (key == "GNU.sparse.numbytes" && pendingOffset is { } offset)
            {
                sparse ??= [];
                sparse.Add((offset, ParseDecimal(value, key)));
                pendingOffset = null;
            }
            else
            {
                pax[key] = value;
            }

            pos += length;
        }

        return (pax, sparse);
    }

    private static void ApplyPax(TarEntry entry, Dictionary<string, byte[]> pax, List<(long, long)>? sparse)
    {
        foreach (var (key, value) in pax)
        {
            switch (key)
            {
                case "path":
                    entry.Name = Encoding.UTF8.GetString(value);
                    break;
                case "linkpath":
                    entry.LinkName = Encoding.UTF8.GetString(value);
                    break;
                case "size":
                    entry.Size = entry.RealSize = ParseDecimal(value, key);
                    break;
                case "uid":
                    entry.Uid = (uint)ParseDecimal(value, key);
                    break;
                case "gid":
                    entry.Gid = (uint)ParseDecimal(value, key);
                    break;
                case "mtime":
                    (entry.MtimeSeconds, entry.MtimeNanoseconds) = ParseTime(value, key);
                    break;
                case "atime":
                    var (s, ns) = ParseTime(value, key);
                    entry.AtimeSeconds = s;
                    entry.AtimeNanoseconds = ns;
                    break;
                default:
                    if (key.StartsWith("SCHILY.xattr.", StringComparison.Ordinal))
                    {
                        entry.Xattrs.Add(new(key["SCHILY.xattr.".Length..], value));
                    }

                    break;
            }
        }

        if (pax.TryGetValue("GNU.sparse.major", out var major) && Encoding.ASCII.GetString(major) == "1")
        {
            entry.SparseMapInData = true;
            entry.Sparse = [];
            entry.RealSize = ParseDecimal(pax.GetValueOrDefault("GNU.sparse.realsize") ?? throw Invalid("a PAX sparse 1.0 member has no GNU.sparse.realsize"), "GNU.sparse.realsize");
        }
        else if (pax.TryGetValue("GNU.sparse.map", out var map))
        {
            var numbers = Encoding.ASCII.GetString(map).Split(',', StringSplitOptions.RemoveEmptyEntries);
            if (numbers.Length % 2 != 0)
            {
                throw Invalid("a GNU.sparse.map has an odd number of values");
            }

            entry.Sparse = [];
            for (var i = 0; i < numbers.Length; i += 2)
            {
                entry.Sparse.Add((ParseDecimal(Encoding.ASCII.GetBytes(numbers[i]), "GNU.sparse.map"), ParseDecimal(Encoding.ASCII.GetBytes(numbers[i + 1]), "GNU.sparse.map")));
            }
        }
        else if (sparse is not null)
        {
            entry.Sparse = sparse;
        }

        if (entry.Sparse is not null)
        {
            if (pax.TryGetValue("GNU.sparse.name", out var sparseName))
            {
                entry.Name = Encoding.UTF8.GetString(sparseName);
            }

            if (!entry.SparseMapInData)
            {
                var realSize = pax.GetValueOrDefault("GNU.sparse.size") ?? pax.GetValueOrDefault("GNU.sparse.realsize");
                entry.RealSize = realSize is null ? entry.Size : ParseDecimal(realSize, "GNU.sparse.size");
            }

            entry.Type = TarEntry.Regular;
        }
    }

    private void ReadOldGnuSparse(TarEntry entry)
    {
        entry.Sparse = [];
        AddSparse(entry, _header.AsSpan(386, 96), 4);
        entry.RealSize = ParseNumber(_header.AsSpan(483, 12), "realsize");
        var extended = _header[482] != 0;
        var block = new byte[Block];
        while (extended)
        {
            if (!ReadBlock(block))
            {
                throw Truncated();
            }

            AddSparse(entry, block.AsSpan(0, 504), 21);
            extended = block[504] != 0;
        }
    }

    private static void AddSparse(TarEntry entry, ReadOnlySpan<byte> area, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var item = area.Slice(i * 24, 24);
            if (item[0] == 0)
            {
                break;
            }

            entry.Sparse!.Add((ParseNumber(item[..12], "sparse offset"), ParseNumber(item.Slice(12, 12), "sparse length")));
        }
    }

    private void ReadSparseMapFromData(TarEntry entry)
    {
        // Decimal numbers one per line: the count, then offset/length pairs; padded to a block boundary.
        long consumed = 0;
        var line = new StringBuilder();

        long NextNumber()
        {
            line.Clear();
            while (true)
            {
                var span = ReadData(1);
                if (span.IsEmpty)
                {
                    throw Truncated();
                }

                consumed++;
                if (span[0] == '\n')
                {
                    break;
                }

                if (line.Length > 20)
                {
                    throw Invalid("a PAX sparse map line is too long");
                }

                line.Append((char)span[0]);
            }

            return long.TryParse(line.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : throw Invalid("a PAX sparse map holds a non-number");
        }

        var count = NextNumber();
        if (count is < 0 or > 1 << 20)
        {
            throw Invalid("a PAX sparse map has an implausible number of segments");
        }

        for (var i = 0; i < count; i++)
        {
            entry.Sparse!.Add((NextNumber(), NextNumber()));
        }

        var pad = (Block - (consumed % Block)) % Block;
        while (pad > 0)
        {
            var span = ReadData(pad);
            if (span.IsEmpty)
            {
                throw Truncated();
            }

            pad -= span.Length;
        }
    }

    private static long ParseDecimal(byte[] value, string key) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : throw Invalid($"the PAX value of {key} is not a number");

    private static (long Seconds, long Nanoseconds) ParseTime(byte[] value, string key)
    {
        var text = Encoding.ASCII.GetString(value);
        var dot = text.IndexOf('.');
        var whole = dot < 0 ? text : text[..dot];
        if (!long.TryParse(whole, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds))
        {
            throw Invalid($"the PAX value of {key} is not a time");
        }

        long nanos = 0;
        if (dot >= 0)
        {
            var fraction = (text[(dot + 1)..] + "000000000")[..9];
            if (!long.TryParse(fraction, NumberStyles.None, CultureInfo.InvariantCulture, out nanos))
            {
                throw Invalid($"the PAX value of {key} is not a time");
            }
        }

        return (seconds, nanos);
    }

    private static ContainerEngineException Truncated() => Invalid("the archive ends in the middle of an entry");

    internal static ContainerEngineException Invalid(string what) =>
        new("LayerInvalid", $"The layer is not a valid tar archive: {what}.", ContainerErrorKind.InvalidArgument);
}
