using PSContainers.Core.Images;
using PSContainers.Core.Registry;

namespace PSContainers.Core.Build;

/// <summary>What Build-ContainerImage asks for: docker build's inputs and options.</summary>
public sealed class BuildRequest
{
    /// <summary>The build context directory.</summary>
    public string ContextDirectory { get; set; } = "";

    /// <summary>
    /// The context as a tar stream instead of a directory (plain, gzip, zstd, bzip2 or xz), as `docker build - &lt; ctx.tar`
    /// and the Engine API's build take it; a relative DockerfilePath then names a file inside it.
    /// </summary>
    public Stream? ContextArchive { get; set; }

    /// <summary>The Dockerfile's path; null for ContextDirectory/Dockerfile (or DockerfileText).</summary>
    public string? DockerfilePath { get; set; }

    /// <summary>Dockerfile text given directly (from the pipeline) instead of a file.</summary>
    public string? DockerfileText { get; set; }

    public List<string> Tags { get; set; } = [];

    public Dictionary<string, string> BuildArgs { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The stage to build (by AS name or index); the last stage when null.</summary>
    public string? Target { get; set; }

    public bool NoCache { get; set; }

    /// <summary>Pull base images even when they are stored.</summary>
    public bool Pull { get; set; }

    /// <summary>Labels added to the final image.</summary>
    public Dictionary<string, string> Labels { get; set; } = new(StringComparer.Ordinal);

    /// <summary>os/arch[/variant]; only the host's platform can be built.</summary>
    public string? Platform { get; set; }

    /// <summary>RUN --mount=type=secret sources: id → host file.</summary>
    public Dictionary<string, string> Secrets { get; set; } = new(StringComparer.Ordinal);

    /// <summary>default, none or host: the network RUN uses unless a RUN says --network.</summary>
    public string Network { get; set; } = "default";

    /// <summary>
    /// Logins for the FROM pulls, by registry host (docker.io, localhost:5000), as the Engine API's X-Registry-Config
    /// brings them; registries not listed use the engine's own logins.
    /// </summary>
    public Dictionary<string, RegistryCredential> RegistryCredentials { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Write the image to this archive instead of keeping it in the store.</summary>
    public string? OutputPath { get; set; }

    public ImageArchiveFormat OutputFormat { get; set; } = ImageArchiveFormat.OciArchive;
}
