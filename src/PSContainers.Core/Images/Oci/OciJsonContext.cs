using System.Text.Json.Serialization;

namespace PSContainers.Core.Images.Oci;

/// <summary>Source-generated JSON for the image formats; unknown members are ignored on read (blobs are kept byte for byte anyway).</summary>
[JsonSourceGenerationOptions(ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = false)]
[JsonSerializable(typeof(OciManifest))]
[JsonSerializable(typeof(OciIndex))]
[JsonSerializable(typeof(ImageConfig))]
[JsonSerializable(typeof(ManifestProbe))]
[JsonSerializable(typeof(OciLayoutFile))]
[JsonSerializable(typeof(List<DockerArchiveManifestEntry>))]
[JsonSerializable(typeof(List<string>))]
public sealed partial class OciJsonContext : JsonSerializerContext
{
}
