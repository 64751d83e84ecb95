using System.Globalization;
using System.Text.Json;
using PSContainers.Runtime.Container;

namespace PSContainers.Pscrun.Commands;

/// <summary>`events`: container stats once (--stats) or as a stream with OOM events, one JSON object a line.</summary>
internal static class EventsCommand
{
    public static int Events(LinuxContainerRuntime runtime, ArgReader reader)
    {
        var statsOnce = false;
        var interval = TimeSpan.FromSeconds(5);
        reader.ReadFlags((name, value) =>
        {
            switch (name)
            {
                case "--stats": statsOnce = true; return true;
                case "--interval": interval = ParseDuration(value()); return true;
                default: return false;
            }
        });
        var id = LifecycleCommands.OneId(reader);
        var source = new ContainerEventSource(runtime);
        if (statsOnce)
        {
            Write(source.Stats(id));
            return 0;
        }

        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        foreach (var e in source.Watch(id, interval, stop.Token))
        {
            Write(e);
        }

        return 0;
    }

    private static void Write(ContainerEvent e)
    {
        Console.Out.WriteLine(JsonSerializer.Serialize(e, ContainerEventJsonContext.Default.ContainerEvent));
        Console.Out.Flush();
    }

    /// <summary>Go duration syntax as runc takes it: "5s", "250ms", "1m30s", "1.5s".</summary>
    internal static TimeSpan ParseDuration(string text)
    {
        var total = TimeSpan.Zero;
        var i = 0;
        if (text.Length == 0)
        {
            throw new UsageException("invalid duration \"\"");
        }

        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'))
            {
                i++;
            }

            var unitStart = i;
            while (i < text.Length && (char.IsAsciiLetter(text[i]) || text[i] == 'µ'))
            {
                i++;
            }

            if (start == unitStart || unitStart == i ||
                !double.TryParse(text.AsSpan(start, unitStart - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n))
            {
                throw new UsageException($"invalid duration \"{text}\": use a number and a unit, e.g. 5s, 500ms, 1m");
            }

            total += text[unitStart..i] switch
            {
                "ns" => TimeSpan.FromTicks((long)(n / 100)),
                "us" or "µs" => TimeSpan.FromTicks((long)(n * 10)),
                "ms" => TimeSpan.FromMilliseconds(n),
                "s" => TimeSpan.FromSeconds(n),
                "m" => TimeSpan.FromMinutes(n),
                "h" => TimeSpan.FromHours(n),
                var unit => throw new UsageException($"invalid duration \"{text}\": unknown unit \"{unit}\""),
            };
        }

        if (total <= TimeSpan.Zero)
        {
            throw new UsageException($"duration must be greater than 0, not \"{text}\"");
        }

        return total;
    }
}
