namespace PSContainers.Runtime.Monitor;

/// <summary>Turns a container's output into container.log lines, {"time":...,"stream":...,"text":...}, without allocating.</summary>
/// <remarks>
/// Bytes arrive in chunks as the pipes deliver them; complete lines are formatted into an output buffer and
/// appended to the file with one write per chunk. An unterminated line waits in a per-stream buffer until its
/// newline (or the end of the output) comes; a line longer than <see cref="MaxLine"/> bytes is cut into several
/// entries, so a container that never prints a newline cannot grow the monitor. The text is JSON-escaped by hand;
/// bytes that are not UTF-8 become U+FFFD, so every line is valid JSON.
/// </remarks>
internal sealed unsafe class LogSink
{
    public const int MaxLine = 16 * 1024;

    /// <summary>Room for the worst line: every byte escaped as \u00XX plus the fixed part.</summary>
    public const int OutputSize = 128 * 1024;

    private static ReadOnlySpan<byte> Hex => "0123456789abcdef"u8;

    private readonly int _fd;
    private readonly byte* _out;
    private readonly byte*[] _pending = new byte*[2];
    private readonly int[] _pendingLength = new int[2];
    private int _used;

    /// <summary>fd is the log file (O_APPEND); pendingOut and pendingErr hold MaxLine bytes each, output OutputSize.</summary>
    public LogSink(int fd, byte* pendingOut, byte* pendingErr, byte* output)
    {
        _fd = fd;
        _pending[0] = pendingOut;
        _pending[1] = pendingErr;
        _out = output;
    }

    /// <summary>Drop the carriage return before a newline: a pty ends its lines with CR LF.</summary>
    public bool TerminalLines { get; init; }

    /// <summary>Bytes of an unterminated line waiting in the buffer of stream 0 (stdout) or 1 (stderr).</summary>
    public int PendingLength(int stream) => _pendingLength[stream];

    /// <summary>Adds output of stream 0 (stdout) or 1 (stderr) and writes the lines it completes.</summary>
    public void Append(int stream, byte* data, int length)
    {
        var pending = _pending[stream];
        var time = DateTime.UtcNow;
        while (length > 0)
        {
            var nl = new ReadOnlySpan<byte>(data, length).IndexOf((byte)'\n');
            var room = MaxLine - _pendingLength[stream];
            if (nl < 0 || nl > room)
            {
                var take = Math.Min(length, room);
                Buffer.MemoryCopy(data, pending + _pendingLength[stream], take, take);
                _pendingLength[stream] += take;
                data += take;
                length -= take;
                if (_pendingLength[stream] >= MaxLine)
                {
                    Emit(stream, pending, _pendingLength[stream], time);
                    _pendingLength[stream] = 0;
                }

                continue;
            }

            if (_pendingLength[stream] == 0)
            {
                Emit(stream, data, LineLength(data, nl), time);
            }
            else
            {
                Buffer.MemoryCopy(data, pending + _pendingLength[stream], nl, nl);
                Emit(stream, pending, LineLength(pending, _pendingLength[stream] + nl), time);
                _pendingLength[stream] = 0;
            }

            data += nl + 1;
            length -= nl + 1;
        }

        Commit();
    }

    private int LineLength(byte* line, int length) => TerminalLines && length > 0 && line[length - 1] == '\r' ? length - 1 : length;

    /// <summary>Writes the unterminated line of a stream as an entry of its own (the output ended).</summary>
    public void FlushPartial(int stream)
    {
        if (_pendingLength[stream] > 0)
        {
            Emit(stream, _pending[stream], _pendingLength[stream], DateTime.UtcNow);
            _pendingLength[stream] = 0;
            Commit();
        }
    }

    private void Emit(int stream, byte* text, int length, DateTime time)
    {
        if (OutputSize - _used < 80 + (6 * length))
        {
            Commit();
        }

        var o = _out + _used;
        o = Put(o, "{\"time\":\""u8);
        o = PutTime(o, time);
        o = Put(o, stream == 0 ? "\",\"stream\":\"stdout\",\"text\":\""u8 : "\",\"stream\":\"stderr\",\"text\":\""u8);
        o = PutEscaped(o, text, length);
        o = Put(o, "\"}\n"u8);
        _used = (int)(o - _out);
    }

    private void Commit()
    {
        var done = 0;
        while (done < _used)
        {
            var n = Libc.Write(_fd, _out + done, _used - done);
            if (n < 0)
            {
                if (Libc.LastErrno == Errno.EINTR)
                {
                    continue;
                }

                // A full or broken disk must not stop the container: the lines are lost, the output still flows.
                break;
            }

            done += (int)n;
        }

        _used = 0;
    }

    private static byte* Put(byte* o, ReadOnlySpan<byte> s)
    {
        s.CopyTo(new Span<byte>(o, s.Length));
        return o + s.Length;
    }

    /// <summary>yyyy-MM-ddTHH:mm:ss.fffffffZ, the format of status.json and the engine's log reader.</summary>
    public static byte* PutTime(byte* o, DateTime utc)
    {
        o = Digits(o, utc.Year, 4);
        *o++ = (byte)'-';
        o = Digits(o, utc.Month, 2);
        *o++ = (byte)'-';
        o = Digits(o, utc.Day, 2);
        *o++ = (byte)'T';
        o = Digits(o, utc.Hour, 2);
        *o++ = (byte)':';
        o = Digits(o, utc.Minute, 2);
        *o++ = (byte)':';
        o = Digits(o, utc.Second, 2);
        *o++ = (byte)'.';
        o = Digits(o, (int)(utc.Ticks % TimeSpan.TicksPerSecond), 7);
        *o++ = (byte)'Z';
        return o;
    }

    private static byte* Digits(byte* o, int value, int count)
    {
        for (var i = count - 1; i >= 0; i--)
        {
            o[i] = (byte)('0' + (value % 10));
            value /= 10;
        }

        return o + count;
    }

    private static byte* PutEscaped(byte* o, byte* s, int length)
    {
        var i = 0;
        while (i < length)
        {
            var b = s[i];
            if (b >= 0x80)
            {
                var n = Utf8SequenceLength(s + i, length - i);
                if (n == 0)
                {
                    // U+FFFD for a byte that starts no valid sequence.
                    *o++ = 0xEF;
                    *o++ = 0xBF;
                    *o++ = 0xBD;
                    i++;
                    continue;
                }

                for (var k = 0; k < n; k++)
                {
                    *o++ = s[i + k];
                }

                i += n;
                continue;
            }

            i++;
            if (b == '"' || b == '\\')
            {
                *o++ = (byte)'\\';
                *o++ = b;
            }
            else if (b >= 0x20)
            {
                *o++ = b;
            }
            else
            {
                *o++ = (byte)'\\';
                switch (b)
                {
                    case (byte)'\n': *o++ = (byte)'n'; break;
                    case (byte)'\r': *o++ = (byte)'r'; break;
                    case (byte)'\t': *o++ = (byte)'t'; break;
                    case (byte)'\b': *o++ = (byte)'b'; break;
                    case (byte)'\f': *o++ = (byte)'f'; break;
                    default:
                        *o++ = (byte)'u';
                        *o++ = (byte)'0';
                        *o++ = (byte)'0';
                        *o++ = Hex[b >> 4];
                        *o++ = Hex[b & 0xF];
                        break;
                }
            }
        }

        return o;
    }

    /// <summary>Length of the well-formed UTF-8 sequence at s (2-4), or 0 when it is not one.</summary>
    private static int Utf8SequenceLength(byte* s, int available)
    {
        var b0 = s[0];
        int n;
        byte lo = 0x80, hi = 0xBF;
        if (b0 is >= 0xC2 and <= 0xDF)
        {
            n = 2;
        }
        else if (b0 is >= 0xE0 and <= 0xEF)
        {
            n = 3;
            if (b0 == 0xE0)
            {
                lo = 0xA0;
            }
            else if (b0 == 0xED)
            {
                hi = 0x9F;
            }
        }
        else if (b0 is >= 0xF0 and <= 0xF4)
        {
            n = 4;
            if (b0 == 0xF0)
            {
                lo = 0x90;
            }
            else if (b0 == 0xF4)
            {
                hi = 0x8F;
            }
        }
        else
        {
            return 0;
        }

        if (available < n || s[1] < lo || s[1] > hi)
        {
            return 0;
        }

        for (var k = 2; k < n; k++)
        {
            if (s[k] is < 0x80 or > 0xBF)
            {
                return 0;
            }
        }

        return n;
    }
}
