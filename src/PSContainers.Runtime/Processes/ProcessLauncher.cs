namespace PSContainers.Runtime.Processes;

/// <summary>Names and defaults of a container process's setup: rlimit numbers and the default PATH.</summary>
internal static class ProcessLauncher
{
    private static readonly Dictionary<string, int> RlimitNumbers = new(StringComparer.OrdinalIgnoreCase)
    {
        ["RLIMIT_CPU"] = 0, ["RLIMIT_FSIZE"] = 1, ["RLIMIT_DATA"] = 2, ["RLIMIT_STACK"] = 3, ["RLIMIT_CORE"] = 4,
        ["RLIMIT_RSS"] = 5, ["RLIMIT_NPROC"] = 6, ["RLIMIT_NOFILE"] = 7, ["RLIMIT_MEMLOCK"] = 8, ["RLIMIT_AS"] = 9,
        ["RLIMIT_LOCKS"] = 10, ["RLIMIT_SIGPENDING"] = 11, ["RLIMIT_MSGQUEUE"] = 12, ["RLIMIT_NICE"] = 13,
        ["RLIMIT_RTPRIO"] = 14, ["RLIMIT_RTTIME"] = 15,
    };

    public const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    public static int RlimitNumber(string type) =>
        RlimitNumbers.TryGetValue(type, out var n) ? n : throw new InvalidOperationException($"unknown rlimit type '{type}'");
}
