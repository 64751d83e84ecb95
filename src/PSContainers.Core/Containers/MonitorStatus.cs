using System.Text.Json;
using System.Text.Json.Serialization;

namespace PSContainers.Core.Containers;

/// <summary>SDIR/status.json as the monitor writes it: the container's run state, exit code and times.</summary>
public sealed class MonitorStatus
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };

    [JsonPropertyName("status")] public string Status { get; set; } = "";
    [JsonPropertyName("pid")] public int Pid { get; set; }
    [JsonPropertyName("exitCode")] public int? ExitCode { get; set; }
    [JsonPropertyName("oomKilled")] public bool OomKilled { get; set; }
    [JsonPropertyName("startedAt")] public DateTimeOffset? StartedAt { get; set; }
    [JsonPropertyName("finishedAt")] public DateTimeOffset? FinishedAt { get; set; }
    [JsonPropertyName("restartCount")] public int RestartCount { get; set; }
    [JsonPropertyName("monitorPid")] public int MonitorPid { get; set; }
    [JsonPropertyName("error")] public string? Error { get; set; }

    /// <summary>Null when the file is missing or unreadable (the monitor writes it atomically, so torn reads do not happen).</summary>
    public static MonitorStatus? TryRead(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<MonitorStatus>(File.ReadAllText(path), Json);
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
