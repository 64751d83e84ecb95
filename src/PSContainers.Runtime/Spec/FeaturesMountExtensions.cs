using System.Text.Json.Serialization;

namespace PSContainers.Runtime.Spec;

/// <summary>Mount features beyond mount(2) options, such as idmapped mounts.</summary>
public sealed class FeaturesMountExtensions
{
    [JsonPropertyName("idmap")] public FeaturesToggle? IdMap { get; set; }
}
