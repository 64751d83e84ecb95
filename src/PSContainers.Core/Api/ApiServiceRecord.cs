namespace PSContainers.Core.Api;

/// <summary>What a running API service writes under the run root (api/service.json) so the cmdlets can find and stop it.</summary>
public sealed class ApiServiceRecord
{
    public int Pid { get; set; }

    /// <summary>Field 22 of /proc/PID/stat when it started: a recycled pid has a different one.</summary>
    public ulong ProcessStartTicks { get; set; }

    public string Socket { get; set; } = "";

    public string? Tcp { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    public string ApiVersion { get; set; } = "";

    public string Executable { get; set; } = "";

    public string LogFile { get; set; } = "";
}
