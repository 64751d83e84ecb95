using System.Net.Sockets;
using System.Text;
using Microsoft.Win32.SafeHandles;
using PSContainers.Native;
using PSContainers.Runtime.Spec;

using Xunit;

namespace PSContainers.Runtime.Tests.Integration;

/// <summary>With process.terminal, pscrun hands the pty master to the --console-socket and the process talks through it.</summary>
[Collection("pscrun")]
public sealed class ConsoleSocketTests : IClassFixture<PscrunFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly PscrunFixture _f;

    public ConsoleSocketTests(PscrunFixture f)
    {
        _f = f;
    }

    [Fact]
    public async Task TheProcessRunsOnAPtyOfTheConfiguredSizeWhoseMasterArrivesOnTheSocket()
    {
        var id = PscrunFixture.NewId();
        var bundle = _f.NewBundle(new[] { "sh", "-c", "tty; stty size" }, spec =>
        {
            spec.Process!.Terminal = true;
            spec.Process.ConsoleSize = new Box { Height = 30, Width = 100 };
        });
        var socketPath = Path.Combine(_f.WorkDir, id + ".sock");
        using var listener = Listen(socketPath);
        FileStream? master = null;
        try
        {
            var create = Task.Run(() => _f.Pscrun("create", "--bundle", bundle, "--console-socket", socketPath, id));
            master = await ReceiveMasterAsync(listener);
            var c = await create.WaitAsync(Patience);
            Assert.True(c.ExitCode == 0, c.ToString());

            var s = _f.Pscrun("start", id);
            Assert.True(s.ExitCode == 0, s.ToString());
            var output = await ReadUntilHangupAsync(master);

            var lines = output.Split(new[] { "\r\n", "\n" }, StringSplitOptions.RemoveEmptyEntries);
            Assert.True(lines.Length == 2, $"pty output: {output}");
            Assert.Contains(lines[0], new[] { "/dev/pts/0", "/dev/console" });
            Assert.Equal("30 100", lines[1]);
        }
        finally
        {
            _f.Pscrun("delete", "--force", id);
            master?.Dispose();
        }
    }

    [Fact]
    public async Task ExecWithTtyGetsItsOwnPtyThroughTheSocket()
    {
        var id = PscrunFixture.NewId();
        var bundle = _f.NewBundle(new[] { "sleep", "60" });
        var socketPath = Path.Combine(_f.WorkDir, id + ".sock");
        using var listener = Listen(socketPath);
        FileStream? master = null;
        try
        {
            var r = _f.Pscrun("run", "-d", "--bundle", bundle, id);
            Assert.True(r.ExitCode == 0, r.ToString());

            var exec = Task.Run(() => _f.Pscrun("exec", "--tty", "--console-socket", socketPath, id, "sh", "-c", "tty; test -t 0 && test -t 1 && echo both-ttys"));
            master = await ReceiveMasterAsync(listener);
            var output = await ReadUntilHangupAsync(master);
            var e = await exec.WaitAsync(Patience);
            Assert.True(e.ExitCode == 0, e.ToString());

            var lines = output.Split(new[] { "\r\n", "\n" }, StringSplitOptions.RemoveEmptyEntries);
            Assert.True(lines.Length == 2, $"pty output: {output}");
            Assert.Matches("^/dev/pts/[0-9]+$", lines[0]);
            Assert.Equal("both-ttys", lines[1]);
        }
        finally
        {
            _f.Pscrun("delete", "--force", id);
            master?.Dispose();
        }
    }

    private static Socket Listen(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        socket.Listen(1);
        return socket;
    }

    private static async Task<FileStream> ReceiveMasterAsync(Socket listener)
    {
        using var accepted = await listener.AcceptAsync().WaitAsync(Patience);
        var fd = FdPassing.Receive((int)accepted.SafeHandle.DangerousGetHandle());
        return new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.Read, bufferSize: 0);
    }

    // The master reads EIO once the last holder of the slave is gone: that is the end of the output.
    private static async Task<string> ReadUntilHangupAsync(FileStream master)
    {
        var text = new StringBuilder();
        var reading = Task.Run(() =>
        {
            var buffer = new byte[4096];
            try
            {
                int n;
                while ((n = master.Read(buffer, 0, buffer.Length)) > 0)
                {
                    lock (text)
                    {
                        text.Append(Encoding.UTF8.GetString(buffer, 0, n));
                    }
                }
            }
            catch (IOException)
            {
            }
        });
        try
        {
            await reading.WaitAsync(Patience);
        }
        catch (TimeoutException)
        {
            lock (text)
            {
                throw new TimeoutException($"the pty never hung up; read so far: {text}");
            }
        }

        lock (text)
        {
            return text.ToString();
        }
    }
}
