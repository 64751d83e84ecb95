using System.Collections.Concurrent;
using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;

namespace PSContainers.Api;

/// <summary>
/// Half-closed hijacked connections. docker clients shut down their sending side of an attach or exec connection
/// when they have no stdin to send (docker run without -i) and go on reading the output. Kestrel takes the end of a
/// connection's input as the client going away and aborts it, so this connection middleware stands between the
/// socket and Kestrel: before a connection is upgraded it passes everything through; once it is upgraded, the
/// client's end of input is kept from Kestrel and reported through <see cref="InputEnded"/> instead.
/// </summary>
internal sealed class HalfClose
{
    private static readonly ConcurrentDictionary<string, HalfClose> Connections = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _upgraded;

    /// <summary>Completes when the client has shut down its side of an upgraded connection.</summary>
    public Task InputEnded => _ended.Task;

    /// <summary>The connection's half-close tracker, for a request about to upgrade it; null when it is not one of ours.</summary>
    public static HalfClose? Of(HttpContext context) => Connections.TryGetValue(context.Connection.Id, out var h) ? h : null;

    /// <summary>From now on the client's end of input no longer ends the connection.</summary>
    public void MarkUpgraded() => _upgraded = true;

    public static async Task Handle(ConnectionContext connection, ConnectionDelegate next)
    {
        var tracker = new HalfClose();
        var original = connection.Transport;
        var input = new Pipe();
        Connections[connection.ConnectionId] = tracker;
        // The transport also reports the client's shutdown as the connection closing, which Kestrel turns into an
        // abort: Kestrel gets a token of ours that follows the transport's only until the connection is upgraded.
        using var closed = new CancellationTokenSource();
        using var follow = connection.ConnectionClosed.Register(() =>
        {
            if (!tracker._upgraded)
            {
                closed.Cancel();
            }
        });
        var pump = Task.Run(() => tracker.Pump(original.Input, input.Writer, CancellationToken.None));
        var wrapped = new Connection(connection, new DuplexPipe(input.Reader, original.Output), closed.Token);
        try
        {
            await next(wrapped);
        }
        finally
        {
            Connections.TryRemove(connection.ConnectionId, out _);
            // Kestrel is done with the connection: the pump's pending read ends so the transport can close the socket.
            original.Input.CancelPendingRead();
            await pump;
            await input.Writer.CompleteAsync();
            await original.Input.CompleteAsync();
        }
    }

    private async Task Pump(PipeReader from, PipeWriter to, CancellationToken closed)
    {
        var rewriter = new HijackRequestRewriter();
        try
        {
            while (true)
            {
                var read = await from.ReadAsync(closed);
                // Until the connection is upgraded it carries HTTP requests: exec starts get their body moved.
                var bytes = _upgraded ? read.Buffer.ToArray() : rewriter.Feed(read.Buffer);
                from.AdvanceTo(read.Buffer.End);
                if (bytes.Length > 0)
                {
                    await to.WriteAsync(bytes, closed);
                }

                if (read.IsCompleted || read.IsCanceled)
                {
                    var rest = rewriter.Flush();
                    if (rest.Length > 0)
                    {
                        await to.WriteAsync(rest, closed);
                    }

                    break;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException or ConnectionResetException)
        {
            // The connection is gone or done: nothing more to pass on.
        }

        _ended.TrySetResult();
        if (!_upgraded)
        {
            // An ordinary connection: Kestrel must learn that the client went.
            await to.CompleteAsync();
        }
    }

    /// <summary>The transport's connection with our input pipe and our closed token.</summary>
    private sealed class Connection(ConnectionContext inner, IDuplexPipe transport, CancellationToken closed) : ConnectionContext
    {
        public override string ConnectionId
        {
            get => inner.ConnectionId;
            set => inner.ConnectionId = value;
        }

        public override Microsoft.AspNetCore.Http.Features.IFeatureCollection Features => inner.Features;

        public override IDictionary<object, object?> Items
        {
            get => inner.Items;
            set => inner.Items = value;
        }

        public override IDuplexPipe Transport { get; set; } = transport;

        public override System.Net.EndPoint? LocalEndPoint
        {
            get => inner.LocalEndPoint;
            set => inner.LocalEndPoint = value;
        }

        public override System.Net.EndPoint? RemoteEndPoint
        {
            get => inner.RemoteEndPoint;
            set => inner.RemoteEndPoint = value;
        }

        public override CancellationToken ConnectionClosed
        {
            get => closed;
            set => throw new NotSupportedException("The half-close connection's closed token is its own.");
        }

        public override void Abort(ConnectionAbortedException abortReason) => inner.Abort(abortReason);

        public override ValueTask DisposeAsync() => inner.DisposeAsync();
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
