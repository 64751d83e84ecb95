namespace PSContainers.Core.Build;

/// <summary>Where a build is: the step running now, its number and the number of steps of the stages being built.</summary>
public sealed record BuildProgress(int Step, int Total, string Description, bool Cached);
