using System.Globalization;
using System.Text;

namespace PSContainers.Runtime.Monitor;

/// <summary>The document a monitor keeps in SDIR/status.json: what the engine reads about a container.</summary>
public sealed class MonitorStatus
{
    public const string Created = "created", Running = "running", Exited = "exited";

    /// <summary>"created", "running" or "exited".</summary>
    public string Status { get; set; } = Created;

    /// <summary>Host pid of the container's init; 0 when it is not running.</summary>
    public int Pid { get; set; }

    /// <summary>Exit code of the last run, or 128 + signal; null until it exited.</summary>
    public int? ExitCode { get; set; }

    public bool OomKilled { get; set; }

    public string? StartedAt { get; set; }

    public string? FinishedAt { get; set; }

    public int RestartCount { get; set; }

    public int MonitorPid { get; set; }

    /// <summary>True while the monitor waits to restart the container after an exit.</summary>
    public bool Restarting { get; set; }

    /// <summary>Why create or start failed (exit code 127); absent otherwise.</summary>
    public string? Error { get; set; }

    /// <summary>The JSON document, written by hand: the monitor must not pay for serializer metadata.</summary>
    public string ToJson()
    {
        var sb = new StringBuilder(256);
        var c = CultureInfo.InvariantCulture;
        sb.Append("{\"status\":");
        AppendString(sb, Status);
        sb.Append(",\"pid\":").Append(Pid.ToString(c));
        sb.Append(",\"exitCode\":").Append(ExitCode is { } code ? code.ToString(c) : "null");
        sb.Append(",\"oomKilled\":").Append(OomKilled ? "true" : "false");
        sb.Append(",\"startedAt\":");
        AppendString(sb, StartedAt);
        sb.Append(",\"finishedAt\":");
        AppendString(sb, FinishedAt);
        sb.Append(",\"restartCount\":").Append(RestartCount.ToString(c));
        sb.Append(",\"monitorPid\":").Append(MonitorPid.ToString(c));
        sb.Append(",\"restarting\":").Append(Restarting ? "true" : "false");
        if (Error is not null)
        {
            sb.Append(",\"error\":");
            AppendString(sb, Error);
        }

        return sb.Append('}').ToString();
    }

    public static string FormatTime(DateTime utc) =>
        utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static void AppendString(StringBuilder sb, string? value)
    {
        if (value is null)
        {
            sb.Append("null");
            return;
        }

        sb.Append('"');
        foreach (var ch in value)
        {
            switch (ch)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case < ' ': sb.Append("\\u").Append(((int)ch).ToString("x4", CultureInfo.InvariantCulture)); break;
                default: sb.Append(ch); break;
            }
        }

        sb.Append('"');
    }
}
