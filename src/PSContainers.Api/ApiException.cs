namespace PSContainers.Api;

/// <summary>A refusal decided by an endpoint itself (an option we cannot honour, a malformed parameter), with its HTTP status.</summary>
internal sealed class ApiException(int statusCode, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;

    public static ApiException BadRequest(string message) => new(StatusCodes.Status400BadRequest, message);

    public static ApiException Conflict(string message) => new(StatusCodes.Status409Conflict, message);

    public static ApiException NotFound(string message) => new(StatusCodes.Status404NotFound, message);

    /// <summary>A docker endpoint this engine knows and does not serve: 501, so a client tells it from a missing object.</summary>
    public static ApiException NotImplemented(string message) => new(StatusCodes.Status501NotImplemented, message);
}
