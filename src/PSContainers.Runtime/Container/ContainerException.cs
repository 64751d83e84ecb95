namespace PSContainers.Runtime.Container;

/// <summary>A runtime operation on a container failed in a way the user can act on.</summary>
public class ContainerException : Exception
{
    public ContainerException(string message, Exception? inner = null) : base(message, inner)
    {
    }

    /// <summary>
    /// For a container that could not start, the exit code docker records for it: 127 when the command was not
    /// found, 126 when it could not be run (permission, a directory, not an executable format), else 128.
    /// </summary>
    public int StartExitCode { get; init; } = 128;
}
