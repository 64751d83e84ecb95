using System.Globalization;
using System.Text;
using System.Text.Json;

namespace PSContainers.Core.Containers;

/// <summary>Reads the monitor's container.log (JSON lines: time, stream, text), optionally following it as it grows.</summary>
public static class ContainerLogReader
{
    private static readonly TimeSpan FollowInterval = TimeSpan.FromMilliseconds(100);

    public static IEnumerable<ContainerLogEntry> Read(string path, bool follow, int? tail, DateTimeOffset? since, Func<bool> isFinished, CancellationToken cancellationToken)
    {
        FileStream? stream = null;
        try
        {
            var pending = new List<byte>();
            var first = true;
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                // The finished check comes before the read so the last lines written before the exit are never missed.
                var finished = !follow || isFinished();
                stream ??= TryOpen(path);
                var batch = new List<ContainerLogEntry>();
                if (stream is not null)
                {
                    ReadNew(stream, pending, batch);
                }

                IEnumerable<ContainerLogEntry> output = batch.Where(e => since is null || e.Time >= since);
                if (first && tail is { } n)
                {
                    output = output.TakeLast(Math.Max(n, 0));
                }

                first = false;
                foreach (var entry in output)
                {
                    yield return entry;
                }

                if (finished)
                {
                    yield break;
                }

                cancellationToken.WaitHandle.WaitOne(FollowInterval);
            }
        }
        finally
        {
            stream?.Dispose();
        }
    }

    public static ContainerLogEntry? Parse(string line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            var time = root.TryGetProperty("time", out var t) && t.ValueKind == JsonValueKind.String
                ? DateTimeOffset.Parse(t.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)
                : DateTimeOffset.MinValue;
            var stream = root.TryGetProperty("stream", out var s) ? s.GetString() ?? "stdout" : "stdout";
            var text = root.TryGetProperty("text", out var x) ? x.GetString() ?? "" : "";
            return new ContainerLogEntry(time, stream, text);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            return null;
        }
    }

    private static FileStream? TryOpen(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not there yet (or briefly locked by its writer): the next poll tries again.
            return null;
        }
    }

    // Complete lines only: a line the monitor is still writing stays pending until its newline arrives.
    private static void ReadNew(FileStream stream, List<byte> pending, List<ContainerLogEntry> batch)
    {
        var buffer = new byte[65536];
        int n;
        while ((n = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            for (var i = 0; i < n; i++)
            {
                if (buffer[i] != (byte)'\n')
                {
                    pending.Add(buffer[i]);
                    continue;
                }

                if (pending.Count > 0 && Parse(Encoding.UTF8.GetString(pending.ToArray())) is { } entry)
                {
                    batch.Add(entry);
                }

                pending.Clear();
            }
        }
    }
}
