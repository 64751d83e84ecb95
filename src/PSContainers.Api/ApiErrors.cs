using System.Text.Json;
using PSContainers.Core.Containers;

namespace PSContainers.Api;

/// <summary>The one mapping from an exception to docker's error response: a status code and {"message": ...}.</summary>
internal static class ApiErrors
{
    /// <summary>The status and message for a failure; the message uses docker's wording where the docker CLI prints or parses it.</summary>
    public static (int Status, string Message) Map(Exception e) => e switch
    {
        ApiException a => (a.StatusCode, a.Message),
        ContainerEngineException c => (Status(c.Kind), DockerMessage(c)),
        BadHttpRequestException b => (StatusCodes.Status400BadRequest, b.Message),
        JsonException j => (StatusCodes.Status400BadRequest, "invalid JSON in the request body: " + j.Message),
        FormatException or ArgumentException or InvalidDataException => (StatusCodes.Status400BadRequest, e.Message),
        NotSupportedException => (StatusCodes.Status400BadRequest, e.Message),
        FileNotFoundException or DirectoryNotFoundException => (StatusCodes.Status404NotFound, e.Message),
        UnauthorizedAccessException => (StatusCodes.Status403Forbidden, e.Message),
        TimeoutException => (StatusCodes.Status500InternalServerError, e.Message),
        _ => (StatusCodes.Status500InternalServerError, $"{e.GetType().Name}: {e.Message}"),
    };

    public static int Status(ContainerErrorKind kind) => kind switch
    {
        ContainerErrorKind.NotFound => StatusCodes.Status404NotFound,
        ContainerErrorKind.InvalidArgument => StatusCodes.Status400BadRequest,
        ContainerErrorKind.InvalidData => StatusCodes.Status400BadRequest,
        ContainerErrorKind.InvalidState => StatusCodes.Status409Conflict,
        ContainerErrorKind.ResourceBusy => StatusCodes.Status409Conflict,
        ContainerErrorKind.AuthenticationFailed => StatusCodes.Status401Unauthorized,
        _ => StatusCodes.Status500InternalServerError,
    };

    /// <summary>docker's text for the failures its CLI shows as-is; otherwise the engine's own message.</summary>
    public static string DockerMessage(ContainerEngineException e) => (e.ErrorId, e.Target) switch
    {
        ("ContainerNotFound", { } t) => $"No such container: {t}",
        ("ImageNotFound", { } t) => $"No such image: {t}",
        ("NetworkNotFound", { } t) => $"network {t} not found",
        ("VolumeNotFound", { } t) => $"get {t}: no such volume",
        _ => e.Message,
    };
}
