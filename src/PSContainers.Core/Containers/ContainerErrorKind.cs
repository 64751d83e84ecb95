namespace PSContainers.Core.Containers;

/// <summary>The kind of an engine failure; cmdlets map it to an ErrorCategory without Core knowing PowerShell.</summary>
public enum ContainerErrorKind
{
    NotFound,
    InvalidArgument,
    InvalidState,
    ResourceBusy,
    OperationFailed,
    Timeout,
    AuthenticationFailed,
    Unavailable,
    InvalidData,
}
