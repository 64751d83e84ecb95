using System.Text.Json.Serialization;

namespace PSContainers.Api.Images;

/// <summary>docker's errorDetail of a failed stream: the CLI prints message and exits non-zero.</summary>
internal sealed record JsonErrorDetail([property: JsonPropertyName("message")] string Message);
