using PSContainers.Core.Containers;

namespace PSContainers.Core.Registry;

/// <summary>The registry failures users see, each with a stable ErrorId and a message that says what to do.</summary>
internal static class RegistryErrors
{
    public static ContainerEngineException AuthenticationFailed(string registry, RegistryCredential? credential, string detail) =>
        new("RegistryAuthenticationFailed",
            credential is null
                ? $"The registry {registry} requires a login ({detail}). Use Connect-ContainerRegistry -Registry {registry} -Credential, or -Credential on this command."
                : $"The registry {registry} refused the login of {credential.UserName} ({detail}). Check the user name and password (Connect-ContainerRegistry -Registry {registry}).",
            ContainerErrorKind.AuthenticationFailed, registry);

    public static ContainerEngineException Unavailable(string registry, string detail, Exception? inner = null) =>
        new("RegistryUnavailable", $"The registry {registry} could not be reached or did not answer properly: {detail}",
            ContainerErrorKind.Unavailable, registry, inner);

    public static ContainerEngineException ImageNotFound(string reference, string detail) =>
        new("ImageNotFound", $"The image {reference} was not found: {detail}", ContainerErrorKind.NotFound, reference);

    public static ContainerEngineException ManifestUnknown(string reference, string detail) =>
        new("ManifestUnknown", $"The registry does not have the manifest {reference}: {detail}", ContainerErrorKind.NotFound, reference);

    public static ContainerEngineException DigestMismatch(string what, string expected, string actual) =>
        new("DigestMismatch",
            $"The content of {what} does not match its digest: expected {expected}, got {actual}. The registry's copy is corrupt or was changed in transit; nothing was stored.",
            ContainerErrorKind.InvalidData, what);

    public static ContainerEngineException BadResponse(string registry, string detail) =>
        new("RegistryProtocolError", $"The registry {registry} answered in a way this client does not understand: {detail}",
            ContainerErrorKind.OperationFailed, registry);
}
