namespace PSContainers.Runtime.Cgroups;

/// <summary>One device cgroup rule: allow or deny access ("rwm") to a type ('a', 'b', 'c') and major:minor (null = any).</summary>
public sealed record DeviceRule(bool Allow, char Type = 'a', long? Major = null, long? Minor = null, string Access = "rwm");
