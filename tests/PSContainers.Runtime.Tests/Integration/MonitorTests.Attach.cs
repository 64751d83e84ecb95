using System.Buffers.Binary;
using System.Text;
using PSContainers.Native;
using PSContainers.Runtime.Container;
using PSContainers.Runtime.Monitor;
using PSContainers.Runtime.Spec;

using Xunit;

namespace PSContainers.Runtime.Tests.Integration;

// The attach socket: output frames as the container writes them, stdin, terminal size, the exit frame.
public sealed partial class MonitorTests
{
    [Fact]
    public void AClientAttachedAtStartGetsEveryOutputFrameThenTheExitCode()
    {
        var run = NewRun(new[] { "sh", "-c", "echo out1; echo err1 >&2; printf tail; exit 4" });
        using var client = StartMonitorAttached(run);
        try
        {
            var frames = client.ReadUntilExit();

            Assert.Equal("out1\ntail", Text(frames, AttachProtocol.Stdout));
            Assert.Equal("err1\n", Text(frames, AttachProtocol.Stderr));
            var exit = frames[^1];
            Assert.Equal(AttachProtocol.Exit, exit.Type);
            Assert.Equal(4, BinaryPrimitives.ReadInt32LittleEndian(exit.Payload));
            Assert.Equal(0, exit.Payload[4] & AttachProtocol.ExitRestarting);
            Assert.True(client.ReadsEndOfFile(), "the monitor keeps the socket open after the final exit");

            // The log got the same output.
            var status = WaitForFinalStatus(run);
            Assert.Equal(4, status.GetProperty("exitCode").GetInt32());
            Assert.Equal(new[] { "out1", "tail" }, ReadLog(run).Where(l => l.Stream == "stdout").Select(l => l.Text));
        }
        finally
        {
            Cleanup(run);
        }
    }

    [Fact]
    public void AClientConnectsThroughTheSocketPathEvenWhenThePathIsLongerThanSockaddrAllows()
    {
        var run = NewRun(new[] { "sh", "-c", "read line; echo got $line; exit 2" }, stateDir: Path.Combine(_f.WorkDir, new string('d', 60), new string('e', 60)));
        try
        {
            StartMonitor(run, "--stdin");
            WaitForStatus(run, s => s.GetProperty("status").GetString() == "running");
            var socketPath = Path.Combine(run.StateDir, "attach");
            Assert.True(Encoding.UTF8.GetByteCount(socketPath) > 108, socketPath);

            using var client = new FrameClient(UnixSocket.Connect(socketPath));
            client.Send(AttachProtocol.Stdin, Encoding.UTF8.GetBytes("hello\n"));
            var frames = client.ReadUntilExit();

            Assert.Equal("got hello\n", Text(frames, AttachProtocol.Stdout));
            Assert.Equal(2, BinaryPrimitives.ReadInt32LittleEndian(frames[^1].Payload));
        }
        finally
        {
            Cleanup(run);
        }
    }

    [Fact]
    public void ClosingStdinGivesTheContainerEndOfFile()
    {
        var run = NewRun(new[] { "sh", "-c", "wc -l; echo eof" });
        using var client = StartMonitorAttached(run, "--stdin");
        try
        {
            client.Send(AttachProtocol.Stdin, Encoding.UTF8.GetBytes("a\nb\nc\n"));
            client.Send(AttachProtocol.CloseStdin, []);
            var frames = client.ReadUntilExit();

            Assert.Equal("3\neof\n", Text(frames, AttachProtocol.Stdout));
            Assert.Equal(0, BinaryPrimitives.ReadInt32LittleEndian(frames[^1].Payload));
        }
        finally
        {
            Cleanup(run);
        }
    }

    [Fact]
    public void ATtyContainerTalksThroughAPtyThatFollowsResizes()
    {
        var run = NewRun(new[] { "sh", "-c", "tty; stty size; read x; stty size; echo bye" }, spec =>
        {
            spec.Process!.Terminal = true;
            spec.Process.ConsoleSize = new Box { Height = 24, Width = 80 };
        });
        using var client = StartMonitorAttached(run, "--tty", "--stdin");
        try
        {
            Assert.Contains("24 80", client.ReadOutputUntil("24 80"));
            var size = new byte[AttachProtocol.ResizePayloadSize];
            BinaryPrimitives.WriteUInt16LittleEndian(size, 50);
            BinaryPrimitives.WriteUInt16LittleEndian(size.AsSpan(2), 132);
            client.Send(AttachProtocol.Resize, size);
            client.Send(AttachProtocol.Stdin, Encoding.UTF8.GetBytes("go\r"));
            var frames = client.ReadUntilExit();
            var output = client.Seen + Text(frames, AttachProtocol.Stdout);

            Assert.Matches(@"^/dev/pts/\d+\r\n24 80\r\n", output);
            Assert.Contains("50 132\r\nbye", output);
            Assert.DoesNotContain(frames, f => f.Type == AttachProtocol.Stderr);
            Assert.Equal(0, BinaryPrimitives.ReadInt32LittleEndian(frames[^1].Payload));
            Assert.Contains(ReadLog(run), l => l.Text.Contains("50 132", StringComparison.Ordinal));
        }
        finally
        {
            Cleanup(run);
        }
    }

    [Fact]
    public void ARestartKeepsTheClientAndSendsAnExitPerRun()
    {
        var run = NewRun(new[] { "sh", "-c", "echo run; exit 1" });
        using var client = StartMonitorAttached(run, "--restart", "on-failure:1");
        try
        {
            var first = client.ReadUntilExit(final: false);
            Assert.NotEqual(0, first[^1].Payload[4] & AttachProtocol.ExitRestarting);
            var second = client.ReadUntilExit();
            Assert.Equal(0, second[^1].Payload[4] & AttachProtocol.ExitRestarting);
            Assert.Equal("run\n", Text(first, AttachProtocol.Stdout));
            Assert.Equal("run\n", Text(second, AttachProtocol.Stdout));
            Assert.Equal(1, WaitForFinalStatus(run).GetProperty("restartCount").GetInt32());
        }
        finally
        {
            Cleanup(run);
        }
    }

    [Theory]
    [InlineData("pscmon")]
    [InlineData("pscrun")]
    public void TheWaitingMonitorHasNoThreadOfItsOwnItsSignalsBlockedAndTheInitStartsWithNone(string waitImage)
    {
        var run = NewRun(new[] { "sh", "-c", "grep -E '^Sig(Blk|Ign)' /proc/self/status; read x; echo got $x; exit 7" });
        using var client = StartMonitorAttachedIn(waitImage, run, "--stdin");
        try
        {
            var pid = WaitForStatus(run, s => s.GetProperty("status").GetString() == "running").GetProperty("pid").GetInt32();
            var waiting = waitImage == "pscmon" ? "--wait" : "phase=wait";
            WaitFor(() => File.ReadAllText($"/proc/{run.MonitorPid}/cmdline").Contains(waiting, StringComparison.Ordinal), "the monitor did not move to its waiting image");
            Assert.EndsWith("/" + waitImage, File.ResolveLinkTarget($"/proc/{run.MonitorPid}/exe", false)!.FullName);

            // pscmon has no runtime, so one thread; pscrun has the runtime's finalizer thread besides: no log or signal threads.
            // The command line changes at execve, a moment before a fresh pscrun's runtime has started that thread.
            var threads = waitImage == "pscmon" ? 1 : 2;
            WaitFor(() => Directory.GetDirectories($"/proc/{run.MonitorPid}/task").Length == threads,
                $"the waiting {waitImage} did not settle at {threads} thread(s)");
            var blocked = ulong.Parse(StatusField(run.MonitorPid, "SigBlk"), System.Globalization.NumberStyles.HexNumber);
            var stops = SigSet.Of(Consts.SIGCHLD, Consts.SIGTERM, Consts.SIGINT).Bits;
            Assert.Equal(stops, blocked & stops);
            Assert.Contains("SigBlk:\t0000000000000000", client.ReadOutputUntil("SigIgn"));

            // The waiting image still serves the client and hands the exit back to pscrun, which records it.
            client.Send(AttachProtocol.Stdin, Encoding.UTF8.GetBytes("hi\n"));
            var frames = client.ReadUntilExit();
            Assert.Contains("got hi", Text(frames, AttachProtocol.Stdout));
            Assert.Equal(7, BinaryPrimitives.ReadInt32LittleEndian(frames[^1].Payload));
            Assert.Equal(7, WaitForFinalStatus(run).GetProperty("exitCode").GetInt32());
            Assert.Null(ProcStat.StartTime(pid));
            Assert.Contains(ReadLog(run), l => l.Text == "got hi");
            AssertContainerGone(run);
        }
        finally
        {
            Cleanup(run);
        }
    }

    private static string StatusField(int pid, string name) =>
        File.ReadAllLines($"/proc/{pid}/status").First(l => l.StartsWith(name + ":", StringComparison.Ordinal))[(name.Length + 1)..].Trim();

    private static string Text(IEnumerable<Frame> frames, byte type) =>
        string.Concat(frames.Where(f => f.Type == type).Select(f => Encoding.UTF8.GetString(f.Payload)));

    /// <summary>Starts a monitor whose first client is one end of a socket pair (as the engine does for a foreground run).</summary>
    private FrameClient StartMonitorAttached(Run run, params string[] extra) => StartMonitorAttachedIn(null, run, extra);

    /// <summary>As StartMonitorAttached, with the monitor told which image to wait in (PSCRUN_MONITOR_WAIT).</summary>
    private unsafe FrameClient StartMonitorAttachedIn(string? waitImage, Run run, params string[] extra)
    {
        var fds = stackalloc int[2];
        Assert.Equal(0, Libc.SocketPair(Consts.AF_UNIX, Consts.SOCK_STREAM | Consts.SOCK_CLOEXEC, 0, fds));
        try
        {
            // The shell and the monitor inherit the other end; it stays close-on-exec in this process afterwards.
            Assert.Equal(0, Libc.Fcntl(fds[1], Consts.F_SETFD, 0));
            StartDetached(run, "exec \"$0\" \"$@\" </dev/null >/dev/null 2>&1 &",
                extra.Concat(new[] { "--attach-fd", fds[1].ToString(System.Globalization.CultureInfo.InvariantCulture) }).ToArray(), waitImage: waitImage);
            WaitForMonitorPid(run);
        }
        finally
        {
            Libc.Close(fds[1]);
        }

        return new FrameClient(fds[0]);
    }

    private sealed record Frame(byte Type, byte[] Payload);

    /// <summary>A test client of the attach protocol over a connected socket, with a 20 s limit on every wait.</summary>
    private sealed unsafe class FrameClient : IDisposable
    {
        private int _fd;

        public FrameClient(int fd) => _fd = fd;

        /// <summary>Output text read by ReadOutputUntil.</summary>
        public string Seen { get; private set; } = "";

        public void Send(byte type, byte[] payload)
        {
            var frame = new byte[AttachProtocol.HeaderSize + payload.Length];
            AttachProtocol.WriteHeader(frame, type, payload.Length);
            payload.CopyTo(frame, AttachProtocol.HeaderSize);
            fixed (byte* p = frame)
            {
                Assert.Equal(frame.Length, (int)Libc.Send(_fd, p, frame.Length, Libc.MSG_NOSIGNAL));
            }
        }

        public List<Frame> ReadUntilExit(bool final = true)
        {
            var frames = new List<Frame>();
            while (true)
            {
                var frame = Read() ?? throw new Xunit.Sdk.XunitException("the socket ended before an exit frame");
                frames.Add(frame);
                if (frame.Type == AttachProtocol.Exit && ((frame.Payload[4] & AttachProtocol.ExitRestarting) == 0) == final)
                {
                    return frames;
                }
            }
        }

        public string ReadOutputUntil(string text)
        {
            while (!Seen.Contains(text, StringComparison.Ordinal))
            {
                var frame = Read() ?? throw new Xunit.Sdk.XunitException($"the socket ended before \"{text}\" came; got: {Seen}");
                if (frame.Type is AttachProtocol.Stdout or AttachProtocol.Stderr)
                {
                    Seen += Encoding.UTF8.GetString(frame.Payload);
                }
            }

            return Seen;
        }

        public bool ReadsEndOfFile() => Read() is null;

        private Frame? Read()
        {
            var header = new byte[AttachProtocol.HeaderSize];
            if (!ReadExactly(header))
            {
                return null;
            }

            var payload = new byte[BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(1))];
            Assert.True(ReadExactly(payload), "a frame ended early");
            return new Frame(header[0], payload);
        }

        private bool ReadExactly(byte[] buffer)
        {
            var done = 0;
            while (done < buffer.Length)
            {
                var pfd = new PollFd { Fd = _fd, Events = Consts.POLLIN };
                Assert.True(Libc.Poll(&pfd, 1, 20_000) == 1, "nothing arrived on the attach socket in 20 s");
                fixed (byte* p = buffer)
                {
                    var n = (int)Libc.Read(_fd, p + done, buffer.Length - done);
                    if (n <= 0)
                    {
                        return false;
                    }

                    done += n;
                }
            }

            return true;
        }

        public void Dispose()
        {
            if (_fd >= 0)
            {
                Libc.Close(_fd);
                _fd = -1;
            }
        }
    }
}
