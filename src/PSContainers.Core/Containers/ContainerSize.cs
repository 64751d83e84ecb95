namespace PSContainers.Core.Containers;

/// <summary>
/// A container's disk use as docker ps -s shows it: Writable, the bytes of the files in its overlay upper directory
/// (docker's SizeRw); RootFs, those plus the bytes of its image's layers (SizeRootFs, the "virtual" size).
/// </summary>
public sealed record ContainerSize(long Writable, long RootFs);
