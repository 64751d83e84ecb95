namespace PSContainers.Runtime.Spec;

/// <summary>The namespace type names config.json uses.</summary>
public static class LinuxNamespaceType
{
    public const string Pid = "pid";
    public const string Network = "network";
    public const string Mount = "mount";
    public const string Ipc = "ipc";
    public const string Uts = "uts";
    public const string User = "user";
    public const string Cgroup = "cgroup";
    public const string Time = "time";

    public static IReadOnlyList<string> All { get; } = [Pid, Network, Mount, Ipc, Uts, User, Cgroup, Time];

    public static bool IsKnown(string type) => All.Contains(type, StringComparer.Ordinal);
}
