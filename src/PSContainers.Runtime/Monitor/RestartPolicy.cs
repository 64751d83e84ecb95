using System.Globalization;

namespace PSContainers.Runtime.Monitor;

/// <summary>When the monitor starts a container again after it exited (docker's --restart).</summary>
public sealed record RestartPolicy(string Mode, int? MaxRestarts)
{
    public static readonly RestartPolicy No = new("no", null);

    /// <summary>Parses no, on-failure[:N], always or unless-stopped.</summary>
    public static RestartPolicy Parse(string text)
    {
        if (text is "no" or "always" or "unless-stopped")
        {
            return new RestartPolicy(text, null);
        }

        if (text == "on-failure")
        {
            return new RestartPolicy(text, null);
        }

        if (text.StartsWith("on-failure:", StringComparison.Ordinal)
            && int.TryParse(text.AsSpan(11), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            // As in docker, a maximum of 0 means no maximum.
            return new RestartPolicy("on-failure", n == 0 ? null : n);
        }

        throw new ArgumentException($"invalid restart policy \"{text}\" (no, on-failure[:N], always, unless-stopped)");
    }

    /// <summary>Whether to run again after an exit with this code, having restarted restarts times already.</summary>
    public bool ShouldRestart(int exitCode, int restarts, bool stopRequested)
    {
        if (stopRequested)
        {
            return false;
        }

        return Mode switch
        {
            "always" or "unless-stopped" => true,
            "on-failure" => exitCode != 0 && (MaxRestarts is null || restarts < MaxRestarts),
            _ => false,
        };
    }

    /// <summary>The policy as Parse reads it.</summary>
    public override string ToString() => Mode == "on-failure" && MaxRestarts is { } n ? $"on-failure:{n}" : Mode;
}
