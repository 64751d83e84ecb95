using System.Text.Json.Serialization;

namespace PSContainers.Runtime.Spec;

/// <summary>The identity the container process runs as (process.user).</summary>
public sealed class User
{
    [JsonPropertyName("uid")] public uint Uid { get; set; }
    [JsonPropertyName("gid")] public uint Gid { get; set; }
    [JsonPropertyName("umask")] public uint? Umask { get; set; }
    [JsonPropertyName("additionalGids")] public List<uint>? AdditionalGids { get; set; }
    [JsonPropertyName("username")] public string? Username { get; set; }
}
