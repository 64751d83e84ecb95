using System.Text.Json.Serialization;

namespace PSContainers.Runtime.Processes;

/// <summary>What `pscrun exec` tells the process image it started inside the container, over the sync channel.</summary>
public sealed class InitConfig
{
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    // Only Process and linux.seccomp are used: the rest of the container's config stays with the runtime.
    [JsonPropertyName("spec")] public Spec.Spec Spec { get; set; } = new();
    // The process as the runtime namespace sees it.
    [JsonPropertyName("pid")] public int Pid { get; set; }
    [JsonPropertyName("exec")] public bool Exec { get; set; }
    [JsonPropertyName("preserveFds")] public int PreserveFds { get; set; }
    [JsonPropertyName("consoleSocketFd")] public int ConsoleSocketFd { get; set; } = -1;
    // The container's mount namespace, joined after execve (see ContainerInit.JoinMountNamespace).
    [JsonPropertyName("mountNamespaceFd")] public int MountNamespaceFd { get; set; } = -1;
}
