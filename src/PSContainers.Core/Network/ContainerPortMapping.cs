namespace PSContainers.Core.Network;

/// <summary>One published port (docker port): host address and port to the container's port and protocol.</summary>
public sealed record ContainerPortMapping(string HostIP, int HostPort, int ContainerPort, string Protocol)
{
    /// <summary>docker port's form: 80/tcp -> 0.0.0.0:8080.</summary>
    public override string ToString() => $"{ContainerPort}/{Protocol} -> {(HostIP.Length == 0 ? "0.0.0.0" : HostIP)}:{HostPort}";
}
