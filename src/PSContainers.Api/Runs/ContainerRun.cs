using System.Threading.Channels;
using PSContainers.Core.Containers;

namespace PSContainers.Api.Runs;

/// <summary>
/// One run of a container started or attached through the API: a single monitor attachment whose output is
/// copied to every attach client subscribed, and whose exit frame (exit code and OOM kill) answers the waits.
/// The exit frame is what makes `docker run --rm` report the real exit code: the container's record may be
/// gone by the time a client asks.
/// </summary>
internal sealed class ContainerRun(string id, ContainerAttachment attachment)
{
    private readonly Lock _gate = new();
    private readonly List<Channel<OutputChunk>> _subscribers = [];
    private readonly TaskCompletionSource<ContainerExitInfo> _exit = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _ended;

    public string Id { get; } = id;

    public Task<ContainerExitInfo> Exited => _exit.Task;

    /// <summary>A new reader of the output from now on; it completes when the run ends.</summary>
    public ChannelReader<OutputChunk> Subscribe()
    {
        var channel = Channel.CreateUnbounded<OutputChunk>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        lock (_gate)
        {
            if (_ended)
            {
                channel.Writer.TryComplete();
            }
            else
            {
                _subscribers.Add(channel);
            }
        }

        return channel.Reader;
    }

    /// <summary>Adds a reader made before the run began (docker run attaches before it starts the container).</summary>
    public void Adopt(Channel<OutputChunk> channel)
    {
        lock (_gate)
        {
            _subscribers.Add(channel);
        }
    }

    public void Unsubscribe(ChannelReader<OutputChunk> reader)
    {
        lock (_gate)
        {
            _subscribers.RemoveAll(c => c.Reader == reader);
        }
    }

    public void WriteInput(ReadOnlySpan<byte> bytes) => attachment.WriteInput(bytes);

    public void EndInput() => attachment.EndInput();

    public void Resize(ushort rows, ushort columns) => attachment.Resize(rows, columns);

    /// <summary>Reads the attachment until the final exit (blocking reads: run on a thread of its own).</summary>
    public void Pump()
    {
        try
        {
            while (attachment.ReadOutput((stream, data) => Broadcast(stream == 0 ? MultiplexedStream.Stdout : MultiplexedStream.Stderr, data)))
            {
            }
        }
        finally
        {
            lock (_gate)
            {
                _ended = true;
                foreach (var s in _subscribers)
                {
                    s.Writer.TryComplete();
                }

                _subscribers.Clear();
            }

            _exit.TrySetResult(new ContainerExitInfo(attachment.ExitCode, attachment.OomKilled));
            attachment.Dispose();
        }
    }

    private void Broadcast(byte stream, ReadOnlySpan<byte> data)
    {
        var chunk = new OutputChunk(stream, data.ToArray());
        lock (_gate)
        {
            foreach (var s in _subscribers)
            {
                s.Writer.TryWrite(chunk);
            }
        }
    }
}
