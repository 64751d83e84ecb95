using PSContainers.Runtime.Spec;

namespace PSContainers.Core.OciRuntime;

/// <summary>Which OCI runtime binary the engine drives, its version and what it says it supports.</summary>
public sealed record RuntimeInfo(string Path, string Version, string? SpecVersion, Features Features);
