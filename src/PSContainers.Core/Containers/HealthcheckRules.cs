using PSContainers.Core.Images.Oci;
using PSContainers.Runtime.Health;

namespace PSContainers.Core.Containers;

/// <summary>docker's rules for a container's health check: merging with the image's, validating, and the form the monitor runs.</summary>
public static class HealthcheckRules
{
    /// <summary>docker's containertypes.MinimumDuration.</summary>
    public static readonly TimeSpan MinimumDuration = TimeSpan.FromMilliseconds(1);

    private const long MinimumNs = 1_000_000;

    /// <summary>The run's health check over the image's, as docker merges them: each field the run leaves unset comes from the image.</summary>
    public static ImageHealthcheck? Merge(ImageHealthcheck? run, ImageHealthcheck? image)
    {
        if (image is null)
        {
            return run;
        }

        if (run is null)
        {
            return Copy(image);
        }

        var merged = Copy(run);
        if (merged.Test is not { Count: > 0 })
        {
            merged.Test = image.Test is null ? null : [.. image.Test];
        }

        merged.Interval = merged.Interval == 0 ? image.Interval : merged.Interval;
        merged.Timeout = merged.Timeout == 0 ? image.Timeout : merged.Timeout;
        merged.StartPeriod = merged.StartPeriod == 0 ? image.StartPeriod : merged.StartPeriod;
        merged.StartInterval = merged.StartInterval == 0 ? image.StartInterval : merged.StartInterval;
        merged.Retries = merged.Retries == 0 ? image.Retries : merged.Retries;
        return merged;
    }

    /// <summary>
    /// The health check of docker run's options (--health-cmd and the rest, --no-healthcheck) with the CLI's checks and
    /// words: a shell command string becomes CMD-SHELL, an argv CMD; null when no option was given.
    /// </summary>
    public static ImageHealthcheck? FromRunOptions(string? shellCommand, IReadOnlyList<string>? argv, TimeSpan? interval, TimeSpan? timeout,
        TimeSpan? startPeriod, TimeSpan? startInterval, int? retries, bool none)
    {
        var any = shellCommand is not null || argv is not null || interval is not null || timeout is not null || startPeriod is not null
            || startInterval is not null || retries is not null;
        if (none)
        {
            return any
                ? throw ContainerEngineException.Invalid("-NoHealthcheck conflicts with the -Health* parameters: give one or the other.")
                : new ImageHealthcheck { Test = ["NONE"] };
        }

        if (!any)
        {
            return null;
        }

        if (shellCommand is not null && argv is not null)
        {
            throw ContainerEngineException.Invalid("-HealthCommand is either one shell command string or an argv array, not both.");
        }

        if (argv is { Count: 0 } || argv?.Any(a => a is null) == true || shellCommand?.Trim().Length == 0)
        {
            throw ContainerEngineException.Invalid("-HealthCommand needs a command: a shell command string, or an array of the program and its arguments.");
        }

        var health = new ImageHealthcheck
        {
            Test = shellCommand is not null ? ["CMD-SHELL", shellCommand] : argv is not null ? ["CMD", .. argv] : null,
            Interval = Nanoseconds("-HealthInterval", interval),
            Timeout = Nanoseconds("-HealthTimeout", timeout),
            StartPeriod = Nanoseconds("-HealthStartPeriod", startPeriod),
            StartInterval = Nanoseconds("-HealthStartInterval", startInterval),
            Retries = retries is < 0 ? throw ContainerEngineException.Invalid("-HealthRetries cannot be negative") : retries ?? 0,
        };
        return health;
    }

    private static long Nanoseconds(string parameter, TimeSpan? value) => value switch
    {
        null => 0,
        { Ticks: < 0 } => throw ContainerEngineException.Invalid($"{parameter} cannot be negative"),
        { } t => t.Ticks * 100,
    };

    /// <summary>Refuses what docker's daemon refuses, in its words, and a test that is none of NONE, CMD and CMD-SHELL.</summary>
    public static void Validate(ImageHealthcheck? health)
    {
        if (health is null)
        {
            return;
        }

        CheckDuration("Interval", health.Interval);
        CheckDuration("Timeout", health.Timeout);
        CheckDuration("StartPeriod", health.StartPeriod);
        CheckDuration("StartInterval", health.StartInterval);
        if (health.Retries < 0)
        {
            throw ContainerEngineException.Invalid("Retries in Healthcheck cannot be negative");
        }

        switch (health.Test)
        {
            case null or []:
            case ["NONE"]:
                break;
            case ["NONE", ..]:
                throw ContainerEngineException.Invalid("A health check test of NONE takes no command.");
            case ["CMD"]:
                throw ContainerEngineException.Invalid("A health check test of CMD needs a command: [\"CMD\", \"program\", \"arg\", ...].");
            case ["CMD", ..]:
                break;
            case ["CMD-SHELL", var script] when script.Trim().Length > 0:
                break;
            case ["CMD-SHELL", ..]:
                throw ContainerEngineException.Invalid("A health check test of CMD-SHELL takes one non-empty command string: [\"CMD-SHELL\", \"script\"].");
            default:
                throw ContainerEngineException.Invalid($"Unknown health check type \"{health.Test[0]}\": a test starts with NONE, CMD or CMD-SHELL.");
        }
    }

    /// <summary>What the monitor runs, or null when the container has no health check (none given, or NONE).</summary>
    public static HealthConfig? ToConfig(ImageHealthcheck? health) => health?.Test is [var kind, ..] && kind != "NONE"
        ? new HealthConfig
        {
            Test = [.. health.Test], IntervalNs = health.Interval, TimeoutNs = health.Timeout, StartPeriodNs = health.StartPeriod,
            StartIntervalNs = health.StartInterval, Retries = health.Retries,
        }
        : null;

    private static void CheckDuration(string name, long ns)
    {
        // docker: 0 is "the default"; anything else must be at least a millisecond (a negative value is too).
        if (ns != 0 && ns < MinimumNs)
        {
            throw ContainerEngineException.Invalid($"{name} in Healthcheck cannot be less than {Format(MinimumDuration)}");
        }
    }

    private static string Format(TimeSpan t) => t == MinimumDuration ? "1ms" : t.ToString();

    private static ImageHealthcheck Copy(ImageHealthcheck h) => new()
    {
        Test = h.Test is null ? null : [.. h.Test], Interval = h.Interval, Timeout = h.Timeout, StartPeriod = h.StartPeriod,
        StartInterval = h.StartInterval, Retries = h.Retries,
    };
}
