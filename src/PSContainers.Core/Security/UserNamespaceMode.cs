namespace PSContainers.Core.Security;

/// <summary>How a container's ids relate to the host's (-UserNS): the host's own, or a user namespace with a mapping.</summary>
public enum UserNamespaceMode
{
    /// <summary>No user namespace: root inside is root on the host (docker's and rootful podman's default).</summary>
    Host,

    /// <summary>A user namespace with a range the engine allocates from its pool (podman's auto; private is the same here).</summary>
    Auto,

    /// <summary>A user namespace with the -UidMap/-GidMap ranges the caller gave.</summary>
    Explicit,
}
