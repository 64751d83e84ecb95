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
/// as PAX SCHILY.xattr records, as docker and podman write them.
/// </remarks>
internal static class LayerTarWriter
{
    private const string Opaque = ".wh..wh..opq";

    /// <summary>Writes the tree under root to destination; returns the number of entries and the bytes of file content.</summary>
    public static (long Entries, long Bytes) Write(string root, Stream destination, CancellationToken cancellationToken)
    {
        using var writer = new TarWriter(destination, TarEntryFormat.Pax, leaveOpen: true);
        var links = new Dictionary<(ulong Dev, ulong Ino), string>();
        var count = 0L;
        var bytes = 0L;
        WriteDirectory(writer, root, "", links, ref count, ref bytes, cancellationToken);
        return (count, bytes);
    }

    private static void WriteDirectory(TarWriter writer, string dir, string relative, Dictionary<(ulong, ulong), string> links, ref long count, ref long bytes,
        CancellationToken cancellationToken)
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

                writer.WriteEntry(entry);
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

                WriteDirectory(writer, full, entryName + "/", links, ref count, ref bytes, cancellationToken);
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
        entry.Uid = (int)st.Uid;
        entry.Gid = (int)st.Gid;
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
