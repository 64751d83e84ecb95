namespace PSContainers.Core.Containers;

/// <summary>An engine failure with a stable ErrorId (ContainerNotFound, ContainerRunning, ...) for ErrorRecords.</summary>
public sealed class ContainerEngineException : Exception
{
    public ContainerEngineException(string errorId, string message, ContainerErrorKind kind, string? target = null, Exception? inner = null)
        : base(message, inner)
    {
        ErrorId = errorId;
        Kind = kind;
        Target = target;
    }

    public string ErrorId { get; }

    public ContainerErrorKind Kind { get; }

    /// <summary>The container reference the failure is about, when there is one.</summary>
    public string? Target { get; }

    /// <summary>For ContainerStartFailed: the exit code recorded for the container (127 command not found, 126 not runnable, 128 other).</summary>
    public int? ExitCode { get; init; }

    public static ContainerEngineException NotFound(string reference) =>
        new("ContainerNotFound", $"No container has the id or name \"{reference}\". Get-Container -All lists the containers.", ContainerErrorKind.NotFound, reference);

    public static ContainerEngineException Invalid(string message, string? target = null) =>
        new("InvalidArgument", message, ContainerErrorKind.InvalidArgument, target);
}
