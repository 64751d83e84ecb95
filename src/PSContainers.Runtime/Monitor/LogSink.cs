namespace PSContainers.Runtime.Monitor;

/// <summary>Turns a container's output into container.log lines, {"time":...,"stream":...,"text":...}, without allocating.</summary>
/// <remarks>
/// Bytes arrive in chunks as the pipes deliver them; complete lines are formatted into an output buffer and
/// appended to the file with one write per chunk. An unterminated line waits in a per-stream buffer until its
/// newline (or the end of the output) comes; a line longer than <see cref="MaxLine"/> bytes is cut into several
/// entries, so a container that never prints a newline cannot grow the monitor. The text is JSON-escaped by hand;
/// bytes that are not UTF-8 become U+FFFD, so every line is valid JSON.
///
/// This file is compiled into pscrun and into pscmon, the monitor's waiting image, which has no base class
/// library: it uses only pointers and integers, and the write and the clock come from LogSink.Io.cs of each.
/// </remarks>
internal sealed unsafe partial class LogSink
{
    public const int MaxLine = 16 * 1024;

    /// <summary>Room for the worst line: every byte escaped as \u00XX plus the fixed part.</summary>
    public const int OutputSize = 128 * 1024;

    private readonly int _fd;
    private readonly byte* _out;
    private readonly byte* _pendingOut;
    private readonly byte* _pendingErr;
    private int _pendingOutLength;
    private int _pendingErrLength;
    private int _used;

    /// <summary>fd is the log file (O_APPEND); pendingOut and pendingErr hold MaxLine bytes each, output OutputSize.</summary>
    public LogSink(int fd, byte* pendingOut, byte* pendingErr, byte* output, bool terminalLines)
    {
        _fd = fd;
        _pendingOut = pendingOut;
        _pendingErr = pendingErr;
        _out = output;
        TerminalLines = terminalLines;
    }

    /// <summary>Drop the carriage return before a newline: a pty ends its lines with CR LF.</summary>
    public bool TerminalLines { get; }

    /// <summary>Bytes of an unterminated line waiting in the buffer of stream 0 (stdout) or 1 (stderr).</summary>
    public int PendingLength(int stream) => stream == 0 ? _pendingOutLength : _pendingErrLength;

    /// <summary>Adds output of stream 0 (stdout) or 1 (stderr) and writes the lines it completes.</summary>
    public void Append(int stream, byte* data, int length)
    {
        var pending = stream == 0 ? _pendingOut : _pendingErr;
        var pendingLength = PendingLength(stream);
        NowUtc(out var seconds, out var ticks);
        while (length > 0)
        {
            var nl = IndexOfNewline(data, length);
            var room = MaxLine - pendingLength;
            if (nl < 0 || nl > room)
            {
                var take = length < room ? length : room;
                Copy(pending + pendingLength, data, take);
                pendingLength += take;
                data += take;
                length -= take;
                if (pendingLength >= MaxLine)
                {
                    Emit(stream, pending, pendingLength, seconds, ticks);
                    pendingLength = 0;
                }

                continue;
            }

            if (pendingLength == 0)
            {
                Emit(stream, data, LineLength(data, nl), seconds, ticks);
            }
            else
            {
                Copy(pending + pendingLength, data, nl);
                Emit(stream, pending, LineLength(pending, pendingLength + nl), seconds, ticks);
                pendingLength = 0;
            }

            data += nl + 1;
            length -= nl + 1;
        }

        SetPendingLength(stream, pendingLength);
        Commit();
    }

    /// <summary>Writes the unterminated line of a stream as an entry of its own (the output ended).</summary>
    public void FlushPartial(int stream)
    {
        var length = PendingLength(stream);
        if (length > 0)
        {
            NowUtc(out var seconds, out var ticks);
            Emit(stream, stream == 0 ? _pendingOut : _pendingErr, length, seconds, ticks);
            SetPendingLength(stream, 0);
            Commit();
        }
    }

    private void SetPendingLength(int stream, int length)
    {
        if (stream == 0)
        {
            _pendingOutLength = length;
        }
        else
        {
            _pendingErrLength = length;
        }
    }

    private int LineLength(byte* line, int length) => TerminalLines && length > 0 && line[length - 1] == '\r' ? length - 1 : length;

    private void Emit(int stream, byte* text, int length, long seconds, int ticks)
    {
        if (OutputSize - _used < 80 + (6 * length))
        {
            Commit();
        }

        var o = _out + _used;
        o = Put(o, "{\"time\":\"");
        o = PutTime(o, seconds, ticks);
        o = Put(o, stream == 0 ? "\",\"stream\":\"stdout\",\"text\":\"" : "\",\"stream\":\"stderr\",\"text\":\"");
        o = PutEscaped(o, text, length);
        o = Put(o, "\"}\n");
        _used = (int)(o - _out);
    }

    private void Commit()
    {
        var done = 0;
        while (done < _used)
        {
            var n = WriteFd(_fd, _out + done, _used - done);
            if (n < 0 && Interrupted())
            {
                continue;
            }

            if (n <= 0)
            {
                // A full or broken disk must not stop the container: the lines are lost, the output still flows.
                break;
            }

            done += (int)n;
        }

        _used = 0;
    }

    private static int IndexOfNewline(byte* data, int length)
    {
        for (var i = 0; i < length; i++)
        {
            if (data[i] == '\n')
            {
                return i;
            }
        }

        return -1;
    }

    private static void Copy(byte* destination, byte* source, int length)
    {
        for (var i = 0; i < length; i++)
        {
            destination[i] = source[i];
        }
    }

    private static byte* Put(byte* o, string ascii)
    {
        fixed (char* s = ascii)
        {
            for (var i = 0; i < ascii.Length; i++)
            {
                *o++ = (byte)s[i];
            }
        }

        return o;
    }

    /// <summary>yyyy-MM-ddTHH:mm:ss.fffffffZ (the format of status.json) from Unix seconds and 100 ns ticks.</summary>
    public static byte* PutTime(byte* o, long unixSeconds, int ticks)
    {
        // Days since 1970-01-01 to a civil date (Howard Hinnant's days_from_civil, inverted).
        var days = unixSeconds / 86400;
        var secondOfDay = (int)(unixSeconds - (days * 86400));
        var z = days + 719468;
        var era = (z >= 0 ? z : z - 146096) / 146097;
        var dayOfEra = z - (era * 146097);
        var yearOfEra = (dayOfEra - (dayOfEra / 1460) + (dayOfEra / 36524) - (dayOfEra / 146096)) / 365;
        var dayOfYear = dayOfEra - ((365 * yearOfEra) + (yearOfEra / 4) - (yearOfEra / 100));
        var mp = ((5 * dayOfYear) + 2) / 153;
        var day = (int)(dayOfYear - (((153 * mp) + 2) / 5) + 1);
        var month = (int)(mp < 10 ? mp + 3 : mp - 9);
        var year = (int)(yearOfEra + (era * 400) + (month <= 2 ? 1 : 0));
        o = Digits(o, year, 4);
        *o++ = (byte)'-';
        o = Digits(o, month, 2);
        *o++ = (byte)'-';
        o = Digits(o, day, 2);
        *o++ = (byte)'T';
        o = Digits(o, secondOfDay / 3600, 2);
        *o++ = (byte)':';
        o = Digits(o, secondOfDay / 60 % 60, 2);
        *o++ = (byte)':';
        o = Digits(o, secondOfDay % 60, 2);
        *o++ = (byte)'.';
        o = Digits(o, ticks, 7);
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

    private static byte Hex(int nibble) => (byte)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);

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
                        *o++ = Hex(b >> 4);
                        *o++ = Hex(b & 0xF);
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
