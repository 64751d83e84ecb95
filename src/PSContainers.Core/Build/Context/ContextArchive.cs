namespace PSContainers.Core.Build.Context;

/// <summary>
/// The compressions a build accepts for a tar it is given (a context archive, a local ADD source): told by the first
/// bytes, as docker tells them. The layer unpacker reads plain, gzip and zstd tars itself; bzip2 and xz are decoded here.
/// </summary>
internal static class ContextArchive
{
    /// <summary>gzip, zstd, bzip2, xz, or null for anything else (a plain tar among them).</summary>
    public static string? Compression(ReadOnlySpan<byte> head) => head switch
    {
        [0x1f, 0x8b, ..] => "gzip",
        [0x28, 0xb5, 0x2f, 0xfd, ..] => "zstd",
        [(byte)'B', (byte)'Z', (byte)'h', ..] => "bzip2",
        [0xfd, (byte)'7', (byte)'z', (byte)'X', (byte)'Z', 0x00, ..] => "xz",
        _ => null,
    };

    public static Stream Decompress(string? kind, Stream stream) => kind switch
    {
        "gzip" => new System.IO.Compression.GZipStream(stream, System.IO.Compression.CompressionMode.Decompress),
        "zstd" => new ZstdSharp.DecompressionStream(stream),
        "bzip2" => SharpCompress.Compressors.BZip2.BZip2Stream.Create(stream, SharpCompress.Compressors.CompressionMode.Decompress, decompressConcatenated: true),
        "xz" => new SharpCompress.Compressors.Xz.XZStream(stream),
        _ => stream,
    };

    /// <summary>
    /// A stream the layer unpacker can read from a context tar of any accepted compression; the source need not seek
    /// (a request body): the bytes read to tell the compression are given back in front of the rest.
    /// </summary>
    public static Stream Open(Stream source)
    {
        var head = new byte[6];
        var read = source.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        Stream whole = new PrefixedStream(head.AsMemory(0, read), source);
        var kind = Compression(head.AsSpan(0, read));
        return kind is "bzip2" or "xz" ? Decompress(kind, whole) : whole;
    }

    /// <summary>Bytes already read, then the rest of a stream.</summary>
    private sealed class PrefixedStream(ReadOnlyMemory<byte> prefix, Stream rest) : Stream
    {
        private ReadOnlyMemory<byte> _prefix = prefix;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_prefix.IsEmpty)
            {
                return rest.Read(buffer);
            }

            var n = Math.Min(buffer.Length, _prefix.Length);
            _prefix.Span[..n].CopyTo(buffer);
            _prefix = _prefix[n..];
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
