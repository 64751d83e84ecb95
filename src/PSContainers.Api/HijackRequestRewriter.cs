using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;

namespace PSContainers.Api;

/// <summary>
/// Kestrel upgrades only requests without a body, but docker clients start an exec with a small JSON body and
/// "Connection: Upgrade". Between the socket and Kestrel, this moves the body of such a request
/// (POST [/vX.Y]/exec/ID/start with an Upgrade header and a Content-Length) into the X-Psc-Exec-Start header and
/// sets the length to 0; every other byte passes unchanged. It follows request boundaries by Content-Length and
/// stops looking (passes everything through) at a request it cannot frame, such as a chunked one.
/// </summary>
internal sealed partial class HijackRequestRewriter
{
    public const string BodyHeader = "X-Psc-Exec-Start";
    private const int MaxHead = 64 * 1024;
    private const int MaxBody = 64 * 1024;

    private readonly List<byte> _pending = [];
    private long _bodyLeft;
    private bool _passThrough;

    /// <summary>Takes bytes from the client and returns what Kestrel gets now (possibly nothing, while a head is incomplete).</summary>
    public byte[] Feed(ReadOnlySequence<byte> data)
    {
        var output = new List<byte>((int)Math.Min(data.Length, int.MaxValue));
        foreach (var segment in data)
        {
            var span = segment.Span;
            while (!span.IsEmpty)
            {
                if (_passThrough)
                {
                    output.AddRange(span);
                    break;
                }

                if (_bodyLeft > 0)
                {
                    var take = (int)Math.Min(_bodyLeft, span.Length);
                    output.AddRange(span[..take]);
                    _bodyLeft -= take;
                    span = span[take..];
                    continue;
                }

                _pending.AddRange(span);
                span = ReadOnlySpan<byte>.Empty;
                Drain(output);
            }
        }

        return [.. output];
    }

    /// <summary>What is held back at the end of input: an incomplete head goes to Kestrel as it is.</summary>
    public byte[] Flush()
    {
        var rest = _pending.ToArray();
        _pending.Clear();
        return rest;
    }

    private void Drain(List<byte> output)
    {
        while (_pending.Count > 0 && !_passThrough && _bodyLeft == 0)
        {
            var end = IndexOfHeadEnd(_pending);
            if (end < 0)
            {
                if (_pending.Count > MaxHead)
                {
                    Release(output);
                }

                return;
            }

            var headLength = end + 4;
            var head = Encoding.Latin1.GetString(_pending.GetRange(0, headLength).ToArray());
            var lines = head[..end].Split("\r\n");
            long length = 0;
            var chunked = false;
            var upgrade = false;
            foreach (var line in lines.Skip(1))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon <= 0)
                {
                    continue;
                }

                var name = line[..colon].Trim();
                var value = line[(colon + 1)..].Trim();
                if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                {
                    _ = long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out length);
                }
                else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
                {
                    chunked = true;
                }
                else if (name.Equals("Upgrade", StringComparison.OrdinalIgnoreCase))
                {
                    upgrade = true;
                }
            }

            if (chunked)
            {
                Release(output);
                return;
            }

            if (upgrade && length is > 0 and <= MaxBody && ExecStart().IsMatch(lines[0]))
            {
                if (_pending.Count < headLength + length)
                {
                    return;
                }

                var body = _pending.GetRange(headLength, (int)length).ToArray();
                var rewritten = new StringBuilder();
                rewritten.Append(lines[0]).Append("\r\n");
                foreach (var line in lines.Skip(1))
                {
                    if (!line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase) && !line.StartsWith("Content-Type:", StringComparison.OrdinalIgnoreCase))
                    {
                        rewritten.Append(line).Append("\r\n");
                    }
                }

                rewritten.Append("Content-Length: 0\r\n").Append(BodyHeader).Append(": ").Append(Convert.ToBase64String(body)).Append("\r\n\r\n");
                output.AddRange(Encoding.Latin1.GetBytes(rewritten.ToString()));
                _pending.RemoveRange(0, headLength + (int)length);
                continue;
            }

            output.AddRange(_pending.GetRange(0, headLength));
            _pending.RemoveRange(0, headLength);
            var inBuffer = (int)Math.Min(length, _pending.Count);
            output.AddRange(_pending.GetRange(0, inBuffer));
            _pending.RemoveRange(0, inBuffer);
            _bodyLeft = length - inBuffer;
        }
    }

    private void Release(List<byte> output)
    {
        output.AddRange(_pending);
        _pending.Clear();
        _passThrough = true;
    }

    private static int IndexOfHeadEnd(List<byte> bytes)
    {
        for (var i = 0; i + 3 < bytes.Count; i++)
        {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n' && bytes[i + 2] == '\r' && bytes[i + 3] == '\n')
            {
                return i;
            }
        }

        return -1;
    }

    [GeneratedRegex(@"^POST (/v[0-9.]+)?/exec/[^/ ?]+/start(\?\S*)? HTTP/1\.1$", RegexOptions.CultureInvariant)]
    private static partial Regex ExecStart();
}
