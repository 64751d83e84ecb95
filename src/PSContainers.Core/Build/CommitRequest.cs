using PSContainers.Core.Images.Oci;

namespace PSContainers.Core.Build;

/// <summary>What New-ContainerImage -Container asks for: docker commit's options.</summary>
public sealed class CommitRequest
{
    /// <summary>The container, by name or id.</summary>
    public string Container { get; set; } = "";

    public List<string> Tags { get; set; } = [];

    /// <summary>Dockerfile instructions applied to the new image's config (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, VOLUME, WORKDIR, STOPSIGNAL).</summary>
    public List<string> Changes { get; set; } = [];

    /// <summary>
    /// docker commit's Config body: the fields it sets replace the container's settings in the new image (Env, Labels,
    /// ExposedPorts and Volumes are merged by key), before Changes apply. Null: the container's settings as they are.
    /// </summary>
    public ImageRunConfig? Config { get; set; }

    /// <summary>The history comment.</summary>
    public string? Message { get; set; }

    public string? Author { get; set; }

    /// <summary>Freeze a running container while its changes are read (docker's default).</summary>
    public bool Pause { get; set; } = true;
}
