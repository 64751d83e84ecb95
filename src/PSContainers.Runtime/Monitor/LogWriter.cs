using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace PSContainers.Runtime.Monitor;

/// <summary>Reads a container's stdout and stderr pipes on one thread and appends one JSON line per output line to a log file.</summary>
public sealed unsafe class LogWriter : IDisposable
{
    // Longer lines are cut into entries of this size, so a container that never prints a newline cannot grow the monitor.
    private const int MaxLine = 16 * 1024;

    private static readonly string[] StreamNames = { "stdout", "stderr" };

    private readonly FileStream _file;
    private readonly Utf8JsonWriter _json;
    private readonly int[] _fds;
    private readonly ArrayBufferWriter<byte>[] _pending = { new(256), new(256) };
    private readonly LogEntry _entry = new();
    private Thread? _thread;

    /// <summary>Takes ownership of the read ends stdoutFd and stderrFd.</summary>
    public LogWriter(string path, int stdoutFd, int stderrFd)
    {
        _file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 1);
        // Relaxed escaping keeps non-ASCII text readable in the file; it is never embedded in HTML.
        _json = new Utf8JsonWriter(_file, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        _fds = new[] { stdoutFd, stderrFd };
    }

    public static string FormatTime(DateTime utc) =>
        utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    public void Start()
    {
        _thread = new Thread(Pump) { IsBackground = true, Name = "container-log" };
        _thread.Start();
    }

    /// <summary>Waits until both pipes reached end of file (every writer closed them); false on timeout.</summary>
    public bool WaitForEnd(TimeSpan timeout) => _thread is null || _thread.Join(timeout);

    private void Pump()
    {
        var buffer = new byte[8192];
        var pfds = stackalloc PollFd[2];
        var which = stackalloc int[2];
        while (_fds[0] >= 0 || _fds[1] >= 0)
        {
            var n = 0;
            for (var i = 0; i < 2; i++)
            {
                if (_fds[i] >= 0)
                {
                    pfds[n] = new PollFd { Fd = _fds[i], Events = Consts.POLLIN };
                    which[n++] = i;
                }
            }

            if (Libc.Poll(pfds, (ulong)n, -1) < 0)
            {
                if (Libc.LastErrno == Errno.EINTR)
                {
                    continue;
                }

                break;
            }

            for (var k = 0; k < n; k++)
            {
                if (pfds[k].REvents == 0)
                {
                    continue;
                }

                var i = which[k];
                nint got;
                fixed (byte* p = buffer)
                {
                    got = Libc.Read(_fds[i], p, buffer.Length);
                }

                if (got > 0)
                {
                    Append(i, buffer.AsSpan(0, (int)got));
                }
                else if (got == 0 || Libc.LastErrno is not (Errno.EINTR or Errno.EAGAIN))
                {
                    // End of file: every process holding the write end is gone; a last line without newline still counts.
                    if (_pending[i].WrittenCount > 0)
                    {
                        Emit(i, _pending[i].WrittenSpan);
                        _pending[i].ResetWrittenCount();
                    }

                    Libc.Close(_fds[i]);
                    _fds[i] = -1;
                }
            }
        }
    }

    private void Append(int stream, ReadOnlySpan<byte> data)
    {
        var pending = _pending[stream];
        while (!data.IsEmpty)
        {
            var nl = data.IndexOf((byte)'\n');
            var room = MaxLine - pending.WrittenCount;
            if (nl < 0 || nl > room)
            {
                var take = Math.Min(data.Length, room);
                pending.Write(data[..take]);
                data = data[take..];
                if (pending.WrittenCount >= MaxLine)
                {
                    Emit(stream, pending.WrittenSpan);
                    pending.ResetWrittenCount();
                }

                continue;
            }

            if (pending.WrittenCount == 0)
            {
                Emit(stream, data[..nl]);
            }
            else
            {
                pending.Write(data[..nl]);
                Emit(stream, pending.WrittenSpan);
                pending.ResetWrittenCount();
            }

            data = data[(nl + 1)..];
        }
    }

    private void Emit(int stream, ReadOnlySpan<byte> line)
    {
        _entry.Time = FormatTime(DateTime.UtcNow);
        _entry.Stream = StreamNames[stream];
        _entry.Text = Encoding.UTF8.GetString(line);
        JsonSerializer.Serialize(_json, _entry, MonitorJsonContext.Default.LogEntry);
        _json.Flush();
        _json.Reset();
        _file.WriteByte((byte)'\n');
        _file.Flush();
    }

    public void Dispose()
    {
        for (var i = 0; i < 2; i++)
        {
            if (_fds[i] >= 0 && (_thread is null || !_thread.IsAlive))
            {
                Libc.Close(_fds[i]);
                _fds[i] = -1;
            }
        }

        if (_thread is null || !_thread.IsAlive)
        {
            _json.Dispose();
            _file.Dispose();
        }
    }
}
