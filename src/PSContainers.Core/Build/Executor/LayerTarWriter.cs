using System.Formats.Tar;
using System.Text;
using PSContainers.Native;

namespace PSContainers.Core.Build.Executor;

/// <summary>Writes a directory in overlay form (an upper directory, or a snapshot) as an OCI layer tar.</summary>
/// <remarks>
/// Overlay marks a deletion with a 0:0 character device and a directory that hides the layers below with the
/// trusted.overlay.opaque=y xattr; a layer tar says the same with .wh.NAME and DIR/.wh..wh..opq entries. Entries go in
/// ordinal name order, parents before children, so the same tree always makes the same tar. Hard links inside the
/// directory stay hard links. trusted.* xattrs (overlay's own bookkeeping) are left out; security.* and user.* go in
/// as PAX SCHILY.xattr records, as docker and podman write them. TarWriter writes PAX values as UTF-8 text, so an entry
/// with a binary value (a file capability with a high bit set) gets a PAX header written here, byte for byte as Go's
/// archive/tar writes it, followed by the entry in ustar form.
/// </remarks>
internal static class LayerTarWriter
{
    private const string Opaque = ".wh..wh..opq";

    /// <summary>Writes the tree under root to destination; returns the number of entries and the bytes of file content.</summary>
    public static (long Entries, long Bytes) Write(string root, Stream destination, CancellationToken cancellationToken) =>
        Write(root, destination, null, null, cancellationToken);

    /// <summary>
    /// As Write, for the upper directory of a container with a user namespace: its files hold host ids, which go
    /// into the layer as the container's own ids (the inverse of the maps), so the image is the same as without one.
    /// </summary>
    public static (long Entries, long Bytes) Write(string root, Stream destination, IReadOnlyList<Runtime.Spec.LinuxIdMapping>? uidMaps,
        IReadOnlyList<Runtime.Spec.LinuxIdMapping>? gidMaps, CancellationToken cancellationToken)
    {
        s_uidMaps = uidMaps;
        s_gidMaps = gidMaps;
        try
        {
            return WriteTree(root, destination, cancellationToken);
        }
        finally
        {
            s_uidMaps = null;
            s_gidMaps = null;
        }
    }

    // Per thread: a commit writes one tree on one thread, and the recursion need not carry the maps.
    [ThreadStatic]
    private static IReadOnlyList<Runtime.Spec.LinuxIdMapping>? s_uidMaps;

    [ThreadStatic]
    private static IReadOnlyList<Runtime.Spec.LinuxIdMapping>? s_gidMaps;

    private static (long Entries, long Bytes) WriteTree(string root, Stream destination, CancellationToken cancellationToken)
    {
        using var writer = new TarWriter(destination, TarEntryFormat.Pax, leaveOpen: true);
        var links = new Dictionary<(ulong Dev, ulong Ino), string>();
        var count = 0L;
        var bytes = 0L;
        WriteDirectory(writer, destination, root, "", links, ref count, ref bytes, cancellationToken);
        return (count, bytes);
    }

    private static void WriteDirectory(TarWriter writer, Stream destination, string dir, string relative, Dictionary<(ulong, ulong), string> links, ref long count,
        ref long bytes, CancellationToken cancellationToken)
    {
        var names = Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName).OfType<string>().ToList();
        names.Sort(StringComparer.Ordinal);
        foreach (var name in names)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var full = Path.Join(dir, name);
            var entryName = relative + name;
            if (!LibcAt.Lstat(full, out var st))
            {
                continue;
            }

            if (st.Type == Consts.S_IFCHR && st.Rdev == 0)
            {
                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, relative + ".wh." + name) { ModificationTime = Mtime(st), Mode = 0 });
                count++;
                continue;
            }

            var entry = Entry(full, entryName, st, links, out var data);
            using (data)
            {
                if (data is not null)
                {
                    entry.DataStream = data;
                }

                if (BinaryXattrs(full) is { Count: > 0 } binary)
                {
                    WriteWithRawPaxHeader(writer, destination, entry, binary);
                }
                else
                {
                    writer.WriteEntry(entry);
                }
            }

            count++;
            bytes += st.Type == Consts.S_IFREG ? st.Size : 0;
            if (st.Type == Consts.S_IFDIR)
            {
                if (LibcAt.GetXattr(full, "trusted.overlay.opaque") is [(byte)'y'])
                {
                    writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, entryName + "/" + Opaque) { ModificationTime = Mtime(st), Mode = 0 });
                    count++;
                }

                WriteDirectory(writer, destination, full, entryName + "/", links, ref count, ref bytes, cancellationToken);
            }
        }
    }

    private static PaxTarEntry Entry(string full, string name, StatInfo st, Dictionary<(ulong, ulong), string> links, out Stream? data)
    {
        data = null;
        var attributes = Xattrs(full);
        PaxTarEntry entry;
        switch (st.Type)
        {
            case Consts.S_IFDIR:
                entry = new PaxTarEntry(TarEntryType.Directory, name + "/", attributes);
                break;
            case 0xA000:
                entry = new PaxTarEntry(TarEntryType.SymbolicLink, name, attributes) { LinkName = new FileInfo(full).LinkTarget ?? "" };
                break;
            case Consts.S_IFCHR or Consts.S_IFBLK:
                entry = new PaxTarEntry(st.Type == Consts.S_IFCHR ? TarEntryType.CharacterDevice : TarEntryType.BlockDevice, name, attributes)
                {
                    DeviceMajor = (int)(((st.Rdev >> 8) & 0xfff) | ((st.Rdev >> 32) & ~0xfffUL)),
                    DeviceMinor = (int)((st.Rdev & 0xff) | ((st.Rdev >> 12) & ~0xffUL)),
                };
                break;
            case Consts.S_IFIFO:
                entry = new PaxTarEntry(TarEntryType.Fifo, name, attributes);
                break;
            case Consts.S_IFREG:
                if (st.Nlink > 1 && links.TryGetValue((st.Dev, st.Ino), out var first))
                {
                    entry = new PaxTarEntry(TarEntryType.HardLink, name, attributes) { LinkName = first };
                    break;
                }

                if (st.Nlink > 1)
                {
                    links[(st.Dev, st.Ino)] = name;
                }

                entry = new PaxTarEntry(TarEntryType.RegularFile, name, attributes);
                data = st.Size == 0 ? null : new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
                break;
            default:
                throw new IOException($"{full} is a socket or another file type a layer cannot hold.");
        }

        entry.Mode = (UnixFileMode)(st.Mode & 0xFFF);
        entry.Uid = (int)(s_uidMaps is null ? st.Uid : Images.Snapshots.ShiftedLayerCache.Unshift(st.Uid, s_uidMaps));
        entry.Gid = (int)(s_gidMaps is null ? st.Gid : Images.Snapshots.ShiftedLayerCache.Unshift(st.Gid, s_gidMaps));
        entry.ModificationTime = Mtime(st);
        return entry;
    }

    private static DateTimeOffset Mtime(StatInfo st) =>
        DateTimeOffset.FromUnixTimeSeconds(st.MtimeSec).AddTicks(st.MtimeNsec / 100);

    private static IEnumerable<KeyValuePair<string, string>> Xattrs(string path)
    {
        Dictionary<string, string>? result = null;
        foreach (var name in LibcAt.ListXattrs(path))
        {
            if (!name.StartsWith("security.", StringComparison.Ordinal) && !name.StartsWith("user.", StringComparison.Ordinal))
            {
                continue;
            }

            // TarWriter writes PAX records as UTF-8 strings, so a binary value (a capability set) cannot go through it
            // unchanged; such values are left out, which docs/builds.md lists as a difference.
            if (LibcAt.GetXattr(path, name) is { } value && TryUtf8(value) is { } text)
            {
                result ??= new Dictionary<string, string>(StringComparer.Ordinal);
                result["SCHILY.xattr." + name] = text;
            }
        }

        return (IEnumerable<KeyValuePair<string, string>>?)result ?? [];
    }

    /// <summary>The security.* and user.* xattrs whose values are not UTF-8 text (Xattrs leaves them out).</summary>
    private static List<KeyValuePair<string, byte[]>>? BinaryXattrs(string path)
    {
        List<KeyValuePair<string, byte[]>>? result = null;
        foreach (var name in LibcAt.ListXattrs(path))
        {
            if ((name.StartsWith("security.", StringComparison.Ordinal) || name.StartsWith("user.", StringComparison.Ordinal))
                && LibcAt.GetXattr(path, name) is { } value && TryUtf8(value) is null)
            {
                (result ??= []).Add(new(name, value));
            }
        }

        return result;
    }

    /// <summary>
    /// Writes a PAX extended header of our own (the entry's path, link, ids, mtime and every xattr, binary ones as raw
    /// bytes), then the entry as a ustar entry whose own name and link the PAX records override.
    /// </summary>
    private static void WriteWithRawPaxHeader(TarWriter writer, Stream destination, PaxTarEntry entry, List<KeyValuePair<string, byte[]>> binary)
    {
        if (entry.Length > 0x1FFFFFFFFL)
        {
            throw new IOException($"{entry.Name}: a file over 8 GiB with binary extended attributes cannot be written to a layer.");
        }

        var records = new MemoryStream();
        void Record(string key, byte[] value)
        {
            // "LEN key=value\n", where LEN counts the whole record, its own digits included.
            var rest = Encoding.UTF8.GetByteCount(key) + value.Length + 3;
            var length = rest + rest.ToString(System.Globalization.CultureInfo.InvariantCulture).Length;
            if (length.ToString(System.Globalization.CultureInfo.InvariantCulture).Length != (length - rest))
            {
                length++;
            }

            records.Write(Encoding.ASCII.GetBytes(length.ToString(System.Globalization.CultureInfo.InvariantCulture) + " "));
            records.Write(Encoding.UTF8.GetBytes(key + "="));
            records.Write(value);
            records.WriteByte((byte)'\n');
        }

        Record("path", Encoding.UTF8.GetBytes(entry.Name));
        if (!string.IsNullOrEmpty(entry.LinkName))
        {
            Record("linkpath", Encoding.UTF8.GetBytes(entry.LinkName));
        }

        Record("uid", Encoding.ASCII.GetBytes(entry.Uid.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Record("gid", Encoding.ASCII.GetBytes(entry.Gid.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Record("mtime", Encoding.ASCII.GetBytes(entry.ModificationTime.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)));
        foreach (var (key, value) in entry.ExtendedAttributes.Where(a => a.Key.StartsWith("SCHILY.xattr.", StringComparison.Ordinal)))
        {
            Record(key, Encoding.UTF8.GetBytes(value));
        }

        foreach (var (name, value) in binary)
        {
            Record("SCHILY.xattr." + name, value);
        }

        var body = records.ToArray();
        var header = new byte[512];
        var baseName = "PaxHeaders.0/" + Path.GetFileName(entry.Name.TrimEnd('/'));
        var nameBytes = Encoding.UTF8.GetBytes(baseName);
        Array.Copy(nameBytes, header, Math.Min(nameBytes.Length, 99));
        Octal(header, 100, 8, 0x1A4);
        Octal(header, 108, 8, 0);
        Octal(header, 116, 8, 0);
        Octal(header, 124, 12, body.Length);
        Octal(header, 136, 12, entry.ModificationTime.ToUnixTimeSeconds());
        header[156] = (byte)'x';
        Encoding.ASCII.GetBytes("ustar\0").CopyTo(header, 257);
        Encoding.ASCII.GetBytes("00").CopyTo(header, 263);
        Array.Fill(header, (byte)' ', 148, 8);
        var sum = header.Sum(b => (int)b);
        Octal(header, 148, 7, sum);
        header[155] = (byte)' ';
        destination.Write(header);
        destination.Write(body);
        destination.Write(new byte[(512 - (body.Length % 512)) % 512]);

        // The ustar entry: name and link fit or are placeholders (the PAX records above win); ids fit or are 0.
        var ustar = new UstarTarEntry(entry.EntryType, Fit(entry.Name, entry.EntryType == TarEntryType.Directory))
        {
            Mode = entry.Mode,
            Uid = entry.Uid <= 0x1FFFFF ? entry.Uid : 0,
            Gid = entry.Gid <= 0x1FFFFF ? entry.Gid : 0,
            ModificationTime = entry.ModificationTime,
            DataStream = entry.DataStream,
        };
        if (!string.IsNullOrEmpty(entry.LinkName))
        {
            ustar.LinkName = Encoding.UTF8.GetByteCount(entry.LinkName) <= 100 ? entry.LinkName : "paxlinkpath";
        }

        if (entry.EntryType is TarEntryType.CharacterDevice or TarEntryType.BlockDevice)
        {
            ustar.DeviceMajor = entry.DeviceMajor;
            ustar.DeviceMinor = entry.DeviceMinor;
        }

        writer.WriteEntry(ustar);
    }

    private static string Fit(string name, bool directory) =>
        Encoding.UTF8.GetByteCount(name) <= 100 ? name : (directory ? "paxpath/" : "paxpath");

    private static void Octal(byte[] header, int offset, int width, long value)
    {
        var text = Convert.ToString(value, 8).PadLeft(width - 1, '0');
        Encoding.ASCII.GetBytes(text).CopyTo(header, offset);
        header[offset + width - 1] = 0;
    }

    private static string? TryUtf8(byte[] value)
    {
        try
        {
            return new UTF8Encoding(false, true).GetString(value);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}
