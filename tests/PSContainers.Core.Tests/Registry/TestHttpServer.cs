using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace PSContainers.Core.Tests.Registry;

/// <summary>
/// A small HTTP server on 127.0.0.1 for behaviours a real registry cannot be made to show on demand (a transfer that
/// breaks mid-way, 503s, a token service): a test double of a broken network or of a token-auth registry.
/// </summary>
public sealed class TestHttpServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<HttpListenerContext, Task> _handler;
    private readonly Task _loop;

    public TestHttpServer(Func<HttpListenerContext, Task> handler)
    {
        _handler = handler;
        for (var attempt = 0; ; attempt++)
        {
            Port = FreePort();
            _listener.Prefixes.Clear();
            _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
            try
            {
                _listener.Start();
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                // The port was taken between the probe and the bind: try another.
            }
        }

        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }

    /// <summary>host:port, as an image reference's registry.</summary>
    public string Address => $"127.0.0.1:{Port}";

    /// <summary>Method, path and query, and the Range and Authorization headers of every request, in order.</summary>
    public ConcurrentQueue<(string Method, string PathAndQuery, string? Range, string? Authorization)> Requests { get; } = new();

    public void Dispose()
    {
        // Close alone: Stop and then Close remove the prefixes twice, and the second removal binds the port again
        // (HttpListener's managed implementation), which fails once another test's listener has taken it.
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The listener was closed under the loop: that is how it ends.
        }
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                Requests.Enqueue((context.Request.HttpMethod, context.Request.Url!.PathAndQuery, context.Request.Headers["Range"], context.Request.Headers["Authorization"]));
                try
                {
                    await _handler(context).ConfigureAwait(false);
                    context.Response.Close();
                }
                catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException or InvalidOperationException)
                {
                    // The handler aborted the response on purpose, or the client went away.
                }
            });
        }
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    /// <summary>Writes a body with its Content-Type and length.</summary>
    public static async Task WriteAsync(HttpListenerResponse response, byte[] body, string contentType = "application/octet-stream", int status = 200)
    {
        response.StatusCode = status;
        response.ContentType = contentType;
        response.ContentLength64 = body.Length;
        await response.OutputStream.WriteAsync(body).ConfigureAwait(false);
    }
}
