namespace PSContainers.Core.Images;

/// <summary>What Import-/Export-ContainerImage read and write.</summary>
public enum ImageArchiveFormat
{
    /// <summary>Tell by the content (import only).</summary>
    Auto,

    /// <summary>docker save / podman save: manifest.json, config JSON, one uncompressed tar per layer.</summary>
    DockerArchive,

    /// <summary>An OCI image layout in a tar (skopeo copy oci-archive:): oci-layout, index.json, blobs/.</summary>
    OciArchive,

    /// <summary>A root filesystem tarball (docker import): becomes a one-layer image.</summary>
    RootFs,
}
