using PSContainers.Api;

namespace PSContainers.Api.Tests;

public sealed class MultiplexedStreamTests
{
    [Fact]
    public void A_frame_has_the_stream_three_zeros_and_a_big_endian_length()
    {
        var frame = MultiplexedStream.Frame(MultiplexedStream.Stderr, "hello\n"u8);
        Assert.Equal(new byte[] { 2, 0, 0, 0, 0, 0, 0, 6 }, frame[..8]);
        Assert.Equal("hello\n"u8.ToArray(), frame[8..]);
    }

    [Fact]
    public void Long_payloads_use_all_four_length_bytes_and_read_back()
    {
        var payload = new byte[0x01020304 & 0xFFFFF];
        var frame = MultiplexedStream.Frame(MultiplexedStream.Stdout, payload);
        Assert.True(MultiplexedStream.TryReadHeader(frame, out var stream, out var length));
        Assert.Equal(MultiplexedStream.Stdout, stream);
        Assert.Equal(payload.Length, length);
        Assert.Equal((byte)(payload.Length >> 16), frame[5]);
    }

    [Theory]
    [InlineData(new byte[] { 3, 0, 0, 0, 0, 0, 0, 1 })]
    [InlineData(new byte[] { 1, 1, 0, 0, 0, 0, 0, 1 })]
    [InlineData(new byte[] { 1, 0, 0 })]
    public void Invalid_headers_are_refused(byte[] header) => Assert.False(MultiplexedStream.TryReadHeader(header, out _, out _));
}
