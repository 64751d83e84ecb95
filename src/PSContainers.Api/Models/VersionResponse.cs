namespace PSContainers.Api.Models;

/// <summary>GET /version (docker's SystemVersion).</summary>
internal sealed class VersionResponse
{
    public PlatformInfo Platform { get; set; } = new();

    public List<Component> Components { get; set; } = [];

    public string Version { get; set; } = "";

    public string ApiVersion { get; set; } = "";

    public string MinAPIVersion { get; set; } = "";

    public string GitCommit { get; set; } = "";

    public string GoVersion { get; set; } = "";

    public string Os { get; set; } = "";

    public string Arch { get; set; } = "";

    public string KernelVersion { get; set; } = "";

    public string BuildTime { get; set; } = "";

    internal sealed class PlatformInfo
    {
        public string Name { get; set; } = "";
    }

    internal sealed class Component
    {
        public string Name { get; set; } = "";

        public string Version { get; set; } = "";

        public Dictionary<string, string> Details { get; set; } = [];
    }
}
