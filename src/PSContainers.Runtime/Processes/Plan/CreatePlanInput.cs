using PSContainers.Runtime.Cgroups;

namespace PSContainers.Runtime.Processes.Plan;

/// <summary>Everything the create plan depends on, gathered by the runtime before it forks.</summary>
internal sealed record CreatePlanInput
{
    public required Spec.Spec Spec { get; init; }
    public required string Rootfs { get; init; }
    public required string Bundle { get; init; }
    public required int SyncFd { get; init; }
    public required int FifoFd { get; init; }
    public int ConsoleFd { get; init; } = -1;
    public int PreserveFds { get; init; }
    public bool NewUserNamespace { get; init; }
    public bool NewCgroupNamespace { get; init; }
    public bool NewUtsNamespace { get; init; }
    // A network namespace of its own (not joined by path): its loopback interface is brought up, as runc and crun do.
    public bool NewNetworkNamespace { get; init; }
    public bool NoPivot { get; init; }
    // No mount namespace in the config: the container shares the host's mounts, so nothing is mounted and the
    // rootfs is entered with chroot (pivot_root would move the host's own root).
    public bool HostMountNamespace { get; init; }
    public bool NoNewKeyring { get; init; }
    // The runtime runs prestart/createRuntime hooks between the mounts and the pivot: a round trip.
    public bool HooksRoundTrip { get; init; }
    // createContainer/startContainer hooks need the state document, which the runtime sends after the fork.
    public bool ReceiveState { get; init; }
    public IReadOnlyList<CgroupHierarchyDirectory> CgroupDirectories { get; init; } = Array.Empty<CgroupHierarchyDirectory>();
}
