using System.Buffers.Binary;
using System.Text;
using PSContainers.Core.Containers;
using PSContainers.Native;
using PSContainers.Runtime.Monitor;

namespace PSContainers.Core.Tests;

/// <summary>The attach client turns the monitor's frames into lines per stream and learns the exit code from the final exit frame.</summary>
public sealed class ContainerAttachmentTests : IDisposable
{
    private readonly int _monitor;
    private readonly ContainerAttachment _attachment;

    public unsafe ContainerAttachmentTests()
    {
        var fds = stackalloc int[2];
        Assert.Equal(0, Libc.SocketPair(Consts.AF_UNIX, Consts.SOCK_STREAM | Consts.SOCK_CLOEXEC, 0, fds));
        _attachment = new ContainerAttachment(fds[0], "test");
        _monitor = fds[1];
    }

    public void Dispose()
    {
        _attachment.Dispose();
        Libc.Close(_monitor);
    }

    [Fact]
    public void SplitsFramesIntoLinesPerStreamAndEndsAtTheFinalExit()
    {
        Send(AttachProtocol.Stdout, "one\ntw");
        Send(AttachProtocol.Stderr, "err\n");
        Send(AttachProtocol.Stdout, "o\nthree");
        SendExit(1, AttachProtocol.ExitRestarting);
        Send(AttachProtocol.Stdout, "\nfour\n");
        SendExit(137, AttachProtocol.ExitOomKilled);

        var lines = _attachment.ReadLines(CancellationToken.None).ToList();

        Assert.Equal(["one", "two", "three", "four"], lines.Where(l => l.Stream == "stdout").Select(l => l.Text));
        Assert.Equal(["err"], lines.Where(l => l.Stream == "stderr").Select(l => l.Text));
        Assert.True(_attachment.Ended);
        Assert.Equal(137, _attachment.ExitCode);
        Assert.True(_attachment.OomKilled);
    }

    [Fact]
    public void AMonitorThatGoesAwayEndsTheOutputWithoutAnExitCodeAndKeepsTheLastPartialLine()
    {
        Send(AttachProtocol.Stdout, "partial");
        Libc.Shutdown(_monitor, Libc.SHUT_WR);

        var lines = _attachment.ReadLines(CancellationToken.None).ToList();

        Assert.Equal("partial", Assert.Single(lines).Text);
        Assert.True(_attachment.Ended);
        Assert.Null(_attachment.ExitCode);
    }

    [Fact]
    public async Task CancellationEndsAWaitForOutput()
    {
        using var cts = new CancellationTokenSource();
        var reading = Task.Run(() => _attachment.ReadLines(cts.Token).ToList());
        await Task.Delay(200);
        Assert.False(reading.IsCompleted);
        await cts.CancelAsync();
        Assert.Empty(await reading.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.False(_attachment.Ended);
    }

    [Fact]
    public unsafe void InputAndResizeGoOutAsFrames()
    {
        _attachment.WriteInput("hi"u8);
        _attachment.Resize(40, 120);
        _attachment.EndInput();

        var buffer = new byte[64];
        var got = 0;
        fixed (byte* p = buffer)
        {
            while (got < 5 + 2 + 5 + 4 + 5)
            {
                got += (int)Libc.Read(_monitor, p + got, buffer.Length - got);
            }
        }

        Assert.Equal(AttachProtocol.Stdin, buffer[0]);
        Assert.Equal(2, BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(1)));
        Assert.Equal("hi", Encoding.ASCII.GetString(buffer, 5, 2));
        Assert.Equal(AttachProtocol.Resize, buffer[7]);
        Assert.Equal(40, BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(12)));
        Assert.Equal(120, BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(14)));
        Assert.Equal(AttachProtocol.CloseStdin, buffer[16]);
        Assert.Equal(0, BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(17)));
    }

    private void Send(byte type, string text) => Frame(type, Encoding.UTF8.GetBytes(text));

    private void SendExit(int code, byte flags)
    {
        var payload = new byte[AttachProtocol.ExitPayloadSize];
        BinaryPrimitives.WriteInt32LittleEndian(payload, code);
        payload[4] = flags;
        Frame(AttachProtocol.Exit, payload);
    }

    private unsafe void Frame(byte type, byte[] payload)
    {
        var frame = new byte[AttachProtocol.HeaderSize + payload.Length];
        AttachProtocol.WriteHeader(frame, type, payload.Length);
        payload.CopyTo(frame, AttachProtocol.HeaderSize);
        fixed (byte* p = frame)
        {
            Assert.Equal(frame.Length, (int)Libc.Write(_monitor, p, frame.Length));
        }
    }
}
