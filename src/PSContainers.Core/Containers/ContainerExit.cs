namespace PSContainers.Core.Containers;

/// <summary>How a container ended, as Wait-Container reports it; ExitCode -1 when it was lost.</summary>
public sealed record ContainerExit(string Id, string Name, int ExitCode);
