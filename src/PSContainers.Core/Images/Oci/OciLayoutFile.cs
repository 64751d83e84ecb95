using System.Text.Json.Serialization;

namespace PSContainers.Core.Images.Oci;

/// <summary>The oci-layout file of an image layout.</summary>
public sealed class OciLayoutFile
{
    [JsonPropertyName("imageLayoutVersion")]
    public string ImageLayoutVersion { get; set; } = "1.0.0";
}
