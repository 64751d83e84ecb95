using System.Text.Json.Serialization;

namespace PSContainers.Runtime.Processes;

/// <summary>What the runtime tells a container's init (or an exec'd process) over the sync channel.</summary>
public sealed class InitConfig
{
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("spec")] public Spec.Spec Spec { get; set; } = new();
    [JsonPropertyName("rootfs")] public string Rootfs { get; set; } = "";
    [JsonPropertyName("bundle")] public string Bundle { get; set; } = "";
    // The process as the runtime namespace sees it, for hooks' state documents.
    [JsonPropertyName("pid")] public int Pid { get; set; }
    [JsonPropertyName("exec")] public bool Exec { get; set; }
    [JsonPropertyName("noPivot")] public bool NoPivot { get; set; }
    [JsonPropertyName("noNewKeyring")] public bool NoNewKeyring { get; set; }
    [JsonPropertyName("preserveFds")] public int PreserveFds { get; set; }
    [JsonPropertyName("consoleSocketFd")] public int ConsoleSocketFd { get; set; } = -1;
    // For exec: the container's mount namespace, joined after execve (see ContainerInit.JoinMountNamespace).
    [JsonPropertyName("mountNamespaceFd")] public int MountNamespaceFd { get; set; } = -1;
    [JsonPropertyName("fifoFd")] public int FifoFd { get; set; } = -1;
    [JsonPropertyName("newUserNamespace")] public bool NewUserNamespace { get; set; }
    [JsonPropertyName("newCgroupNamespace")] public bool NewCgroupNamespace { get; set; }
    [JsonPropertyName("newUtsNamespace")] public bool NewUtsNamespace { get; set; }
    [JsonPropertyName("newMountNamespace")] public bool NewMountNamespace { get; set; }
}
