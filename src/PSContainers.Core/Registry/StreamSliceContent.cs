using System.Net;

namespace PSContainers.Core.Registry;

/// <summary>Upload content: length bytes of a stream from offset, reporting the absolute position as they go out.</summary>
internal sealed class StreamSliceContent : HttpContent
{
    private readonly Stream _source;
    private readonly long _offset;
    private readonly long _length;
    private readonly Action<long> _position;

    public StreamSliceContent(Stream source, long offset, long length, Action<long> position)
    {
        _source = source;
        _offset = offset;
        _length = length;
        _position = position;
    }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        // A request sent again (after a 401 asked for a new token) must send the same bytes.
        if (_source.CanSeek)
        {
            _source.Position = _offset;
        }

        var buffer = new byte[1 << 17];
        var left = _length;
        while (left > 0)
        {
            var n = await _source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                throw new EndOfStreamException($"The content ended {left} bytes before its declared size.");
            }

            await stream.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
            left -= n;
            _position(_offset + _length - left);
        }
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override bool TryComputeLength(out long length)
    {
        length = _length;
        return true;
    }
}
