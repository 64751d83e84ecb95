namespace PSContainers.Api.Models;

/// <summary>GET /info (docker's system.Info): what `docker info` prints.</summary>
internal sealed class InfoResponse
{
    public string ID { get; set; } = "";
    public int Containers { get; set; }
    public int ContainersRunning { get; set; }
    public int ContainersPaused { get; set; }
    public int ContainersStopped { get; set; }
    public int Images { get; set; }
    public string Driver { get; set; } = "";
    public List<string[]> DriverStatus { get; set; } = [];
    public PluginsInfo Plugins { get; set; } = new();
    public bool MemoryLimit { get; set; }
    public bool SwapLimit { get; set; }
    public bool CpuCfsPeriod { get; set; }
    public bool CpuCfsQuota { get; set; }
    public bool CPUShares { get; set; }
    public bool CPUSet { get; set; }
    public bool PidsLimit { get; set; }
    public bool OomKillDisable { get; set; }
    public bool IPv4Forwarding { get; set; }
    public bool Debug { get; set; }
    public int NFd { get; set; }
    public int NGoroutines { get; set; }
    public string SystemTime { get; set; } = "";
    public string LoggingDriver { get; set; } = "";
    public string CgroupDriver { get; set; } = "";
    public string CgroupVersion { get; set; } = "";
    public int NEventsListener { get; set; }
    public string KernelVersion { get; set; } = "";
    public string OperatingSystem { get; set; } = "";
    public string OSVersion { get; set; } = "";
    public string OSType { get; set; } = "";
    public string Architecture { get; set; } = "";
    public int NCPU { get; set; }
    public long MemTotal { get; set; }
    public string IndexServerAddress { get; set; } = "";
    public string DockerRootDir { get; set; } = "";
    public string HttpProxy { get; set; } = "";
    public string HttpsProxy { get; set; } = "";
    public string NoProxy { get; set; } = "";
    public string Name { get; set; } = "";
    public List<string> Labels { get; set; } = [];
    public bool ExperimentalBuild { get; set; }
    public string ServerVersion { get; set; } = "";
    public Dictionary<string, RuntimeEntry> Runtimes { get; set; } = [];
    public string DefaultRuntime { get; set; } = "";
    public SwarmInfo Swarm { get; set; } = new();
    public bool LiveRestoreEnabled { get; set; }
    public string Isolation { get; set; } = "";
    public string InitBinary { get; set; } = "";
    public List<string> SecurityOptions { get; set; } = [];
    public List<string> Warnings { get; set; } = [];

    internal sealed class PluginsInfo
    {
        public List<string> Volume { get; set; } = [];
        public List<string> Network { get; set; } = [];
        public List<string>? Authorization { get; set; }
        public List<string> Log { get; set; } = [];
    }

    internal sealed class RuntimeEntry
    {
        [System.Text.Json.Serialization.JsonPropertyName("path")]
        public string Path { get; set; } = "";
    }

    /// <summary>Swarm mode is not offered: "inactive" is what `docker info` shows for a daemon outside a swarm.</summary>
    internal sealed class SwarmInfo
    {
        public string NodeID { get; set; } = "";
        public string NodeAddr { get; set; } = "";
        public string LocalNodeState { get; set; } = "inactive";
        public bool ControlAvailable { get; set; }
        public string Error { get; set; } = "";
        public List<string>? RemoteManagers { get; set; }
    }
}
