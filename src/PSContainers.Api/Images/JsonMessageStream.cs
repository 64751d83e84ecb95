using System.Runtime.ExceptionServices;
using System.Threading.Channels;

namespace PSContainers.Api.Images;

/// <summary>
/// A response body of docker JSON messages written as the work makes them. The engine reports from its own threads
/// (a build's RUN output, a pull's parallel transfers) and synchronously; Post queues a line and one writer task
/// writes and flushes each, so the engine never blocks on a slow client and Kestrel sees only asynchronous writes.
/// The 200 goes out with the first line: a failure before any line is an ordinary HTTP error (docker answers a
/// pull of a missing image with a 404, not a stream), a later one is docker's error line.
/// </summary>
internal sealed class JsonMessageStream
{
    private readonly Channel<JsonMessage> _lines = Channel.CreateUnbounded<JsonMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly HttpContext _context;
    private readonly Task _writer;
    private volatile bool _started;

    public JsonMessageStream(HttpContext context)
    {
        _context = context;
        _writer = Task.Run(WriteAllAsync);
    }

    /// <summary>Queues one line; callable from any thread.</summary>
    public void Post(JsonMessage message) => _lines.Writer.TryWrite(message);

    /// <summary>
    /// Runs the work, then ends the stream once every queued line is written. A failure after the first line becomes
    /// an error line ({"errorDetail":{"message"},"error"}) the CLI prints; before it, it is thrown for the error middleware.
    /// </summary>
    public async Task RunAsync(Func<Task> work)
    {
        Exception? failure = null;
        try
        {
            await work();
        }
        catch (Exception e)
        {
            failure = e;
        }

        _lines.Writer.TryComplete();
        await _writer;
        if (failure is null)
        {
            await StartAsync();
            return;
        }

        if (!_started)
        {
            ExceptionDispatchInfo.Throw(failure);
        }

        if (failure is OperationCanceledException && _context.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        var (_, message) = ApiErrors.Map(failure);
        await _context.Response.Body.WriteAsync(JsonMessage.OfError(message).ToLine(), _context.RequestAborted);
        await _context.Response.Body.FlushAsync(_context.RequestAborted);
    }

    private async Task StartAsync()
    {
        if (_started)
        {
            return;
        }

        _context.Response.StatusCode = StatusCodes.Status200OK;
        _context.Response.ContentType = "application/json";
        await _context.Response.StartAsync(_context.RequestAborted);
        _started = true;
    }

    private async Task WriteAllAsync()
    {
        var body = _context.Response.Body;
        try
        {
            while (await _lines.Reader.WaitToReadAsync(_context.RequestAborted))
            {
                await StartAsync();
                // Everything queued by now goes out in one flush.
                while (_lines.Reader.TryRead(out var message))
                {
                    await body.WriteAsync(message.ToLine(), _context.RequestAborted);
                }

                await body.FlushAsync(_context.RequestAborted);
            }
        }
        catch (OperationCanceledException) when (_context.RequestAborted.IsCancellationRequested)
        {
            // The client went away: the work itself is cancelled through the same token.
        }
    }
}
