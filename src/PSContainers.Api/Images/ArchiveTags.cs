using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;
using PSContainers.Core.Images;

namespace PSContainers.Api.Images;

/// <summary>
/// The names a docker-archive's manifest.json gives its images, so that load reports "Loaded image: X" for what the
/// archive named (as docker does), not for every other name the same image already had here.
/// </summary>
internal static class ArchiveTags
{
    /// <summary>The archive's names in docker's short form; null when it has no manifest.json (an oci-archive).</summary>
    public static HashSet<string>? Read(string path)
    {
        using var file = File.OpenRead(path);
        var head = new byte[2];
        var n = file.Read(head);
        file.Position = 0;
        using Stream stream = n == 2 && head[0] == 0x1f && head[1] == 0x8b ? new GZipStream(file, CompressionMode.Decompress) : file;
        using var reader = new TarReader(stream);
        // Bounded: docker writes manifest.json among the first entries or at the end; an archive has few entries per layer.
        for (var i = 0; i < 100_000 && reader.GetNextEntry() is { } entry; i++)
        {
            if (entry.Name.TrimStart('.', '/') != "manifest.json" || entry.DataStream is null)
            {
                continue;
            }

            using var document = JsonDocument.Parse(entry.DataStream);
            var names = new HashSet<string>(StringComparer.Ordinal);
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                return names;
            }

            foreach (var item in document.RootElement.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.Object && item.TryGetProperty("RepoTags", out var tags) && tags.ValueKind == JsonValueKind.Array)
                {
                    foreach (var tag in tags.EnumerateArray())
                    {
                        if (tag.ValueKind == JsonValueKind.String && ImageReference.TryParse(tag.GetString(), out var parsed, out _))
                        {
                            names.Add(parsed.FamiliarName);
                        }
                    }
                }
            }

            return names;
        }

        return null;
    }
}
