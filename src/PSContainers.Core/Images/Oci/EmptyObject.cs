namespace PSContainers.Core.Images.Oci;

/// <summary>The {} values of ExposedPorts and Volumes.</summary>
public sealed class EmptyObject
{
}
