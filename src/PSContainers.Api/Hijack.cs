using Microsoft.AspNetCore.Http.Features;
using PSContainers.Api.Runs;

namespace PSContainers.Api;

/// <summary>
/// docker's hijacked connections (attach, exec start): the client sends "Connection: Upgrade, Upgrade: tcp", the
/// service answers 101 and the connection becomes a raw duplex stream: the client's stdin in, the output out as
/// raw bytes (tty) or as multiplexed frames. A client that does not ask to upgrade gets the output as a 200 body.
/// </summary>
internal sealed class Hijack
{
    private readonly Stream _output;
    private readonly bool _multiplexed;
    private readonly Task _inputEnded;

    private Hijack(Stream output, Stream? input, bool multiplexed, Task? inputEnded)
    {
        _output = output;
        Input = input;
        _multiplexed = multiplexed;
        _inputEnded = inputEnded ?? new TaskCompletionSource().Task;
    }

    /// <summary>The client's stdin; null when the connection was not upgraded.</summary>
    public Stream? Input { get; }

    public static async Task<Hijack> Accept(HttpContext context, bool multiplexed)
    {
        var contentType = multiplexed ? "application/vnd.docker.multiplexed-stream" : "application/vnd.docker.raw-stream";
        var upgrade = context.Features.Get<IHttpUpgradeFeature>();
        if (upgrade is { IsUpgradableRequest: true })
        {
            context.Response.Headers.ContentType = contentType;
            context.Response.Headers.Upgrade = "tcp";
            var halfClose = HalfClose.Of(context);
            halfClose?.MarkUpgraded();
            var stream = await upgrade.UpgradeAsync();
            return new Hijack(stream, stream, multiplexed, halfClose?.InputEnded);
        }

        context.Response.ContentType = contentType;
        await context.Response.StartAsync(context.RequestAborted);
        return new Hijack(context.Response.Body, null, multiplexed, null);
    }

    public async Task Write(OutputChunk chunk, CancellationToken cancellationToken)
    {
        var bytes = _multiplexed ? MultiplexedStream.Frame(chunk.Stream, chunk.Data) : chunk.Data;
        await _output.WriteAsync(bytes, cancellationToken);
        await _output.FlushAsync(cancellationToken);
    }

    /// <summary>Copies a run's output to the client until the run ends or the client goes.</summary>
    public async Task CopyOutput(System.Threading.Channels.ChannelReader<OutputChunk> output, bool stdout, bool stderr, CancellationToken cancellationToken)
    {
        await foreach (var chunk in output.ReadAllAsync(cancellationToken))
        {
            if ((chunk.Stream == MultiplexedStream.Stdout && stdout) || (chunk.Stream == MultiplexedStream.Stderr && stderr))
            {
                await Write(chunk, cancellationToken);
            }
        }
    }

    /// <summary>
    /// Copies the client's stdin to input until its end (then endInput) or the detach keys (docker's default
    /// ctrl-p ctrl-q); returns true when the client detached.
    /// </summary>
    public async Task<bool> CopyInput(Action<ReadOnlyMemory<byte>> input, Action endInput, byte[] detachKeys, CancellationToken cancellationToken)
    {
        if (Input is null)
        {
            return false;
        }

        var buffer = new byte[16 * 1024];
        var matched = 0;
        while (true)
        {
            int n;
            try
            {
                n = await ReadInput(buffer, cancellationToken);
            }
            catch (IOException)
            {
                n = 0;
            }

            if (n == 0)
            {
                endInput();
                return false;
            }

            var data = buffer.AsMemory(0, n);
            if (detachKeys.Length > 0)
            {
                var start = 0;
                for (var i = 0; i < n; i++)
                {
                    if (buffer[i] == detachKeys[matched])
                    {
                        matched++;
                        if (matched == detachKeys.Length)
                        {
                            // What came before the sequence goes in; the sequence itself never reaches the container.
                            var before = Math.Max(0, i + 1 - detachKeys.Length);
                            if (before > start)
                            {
                                input(buffer.AsMemory(start, before - start));
                            }

                            return true;
                        }
                    }
                    else
                    {
                        matched = buffer[i] == detachKeys[0] ? 1 : 0;
                    }
                }

                // A sequence split across reads still detaches; its first key has gone to the container by then.
            }

            if (!data.IsEmpty)
            {
                input(data);
            }
        }
    }

    /// <summary>
    /// A read of the client's stdin that ends (0) when the client has shut down its side: the half-close middleware
    /// keeps that end from Kestrel, so it comes as InputEnded; what was sent before it is read first.
    /// </summary>
    private async Task<int> ReadInput(byte[] buffer, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var read = Input!.ReadAsync(buffer, stop.Token).AsTask();
        if (await Task.WhenAny(read, _inputEnded) == read)
        {
            return await read;
        }

        // Bytes sent just before the shutdown are already on their way through the pipe: give them a moment.
        if (await Task.WhenAny(read, Task.Delay(200, cancellationToken)) == read)
        {
            return await read;
        }

        await stop.CancelAsync();
        try
        {
            return await read;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return 0;
        }
    }

    /// <summary>docker's detach keys: "ctrl-p,ctrl-q" by default; "ctrl-X" and single characters, comma-separated.</summary>
    public static byte[] ParseDetachKeys(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return [0x10, 0x11];
        }

        var keys = new List<byte>();
        foreach (var key in text.Split(','))
        {
            if (key.Length == 1)
            {
                keys.Add((byte)key[0]);
            }
            else if (key.StartsWith("ctrl-", StringComparison.Ordinal) && key.Length == 6)
            {
                var c = char.ToLowerInvariant(key[5]);
                keys.Add(c switch
                {
                    >= 'a' and <= 'z' => (byte)(c - 'a' + 1),
                    '@' => 0,
                    '[' => 27,
                    '\\' => 28,
                    ']' => 29,
                    '^' => 30,
                    '_' => 31,
                    _ => throw ApiException.BadRequest($"Invalid detach keys (detachKeys) provided: {text}"),
                });
            }
            else
            {
                throw ApiException.BadRequest($"Invalid detach keys (detachKeys) provided: {text}");
            }
        }

        return [.. keys];
    }
}
