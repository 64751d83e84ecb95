namespace PSContainers.Runtime.Container;

/// <summary>Reads what /proc/PID/stat says about a process: its start time and whether it is alive.</summary>
public static class ProcStat
{
    /// <summary>Start time in clock ticks since boot, or null if the process does not exist or is a zombie.</summary>
    public static ulong? StartTime(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // The command name may contain spaces and parentheses; fields resume after the last ')'.
        var close = text.LastIndexOf(')');
        if (close < 0)
        {
            return null;
        }

        var fields = text[(close + 2)..].Split(' ');
        if (fields.Length < 20 || fields[0] is "Z" or "X")
        {
            return null;
        }

        return ulong.Parse(fields[19], System.Globalization.CultureInfo.InvariantCulture);
    }

    public static bool IsAlive(int pid, ulong startTime) => pid > 0 && StartTime(pid) == startTime;
}
