namespace PSContainers.Api.Runs;

/// <summary>How a run ended, from the monitor's exit frame: null exit code when it was lost.</summary>
internal sealed record ContainerExitInfo(int? ExitCode, bool OomKilled);
