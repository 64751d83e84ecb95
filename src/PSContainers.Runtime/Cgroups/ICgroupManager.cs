namespace PSContainers.Runtime.Cgroups;

/// <summary>Creates, configures, observes and removes the cgroup of one container.</summary>
public interface ICgroupManager
{
    /// <summary>The cgroupsPath this manager was created for, as given.</summary>
    string Path { get; }

    /// <summary>True when the cgroup directory exists in at least one hierarchy.</summary>
    bool Exists { get; }

    /// <summary>Each hierarchy's directory for this cgroup, named as the container sees it under /sys/fs/cgroup.</summary>
    IReadOnlyList<CgroupHierarchyDirectory> HierarchyDirectories { get; }

    /// <summary>Number of processes the kernel OOM killer has killed in this cgroup.</summary>
    ulong OomKillCount { get; }

    /// <summary>Makes the cgroup directory in every available hierarchy; existing ones are kept.</summary>
    void Create();

    void AddProcess(int pid);

    /// <summary>Writes the limits; also used to update a running container.</summary>
    void Apply(CgroupResources resources);

    void Freeze();

    void Thaw();

    CgroupFreezerState GetFreezerState();

    /// <summary>Every process in the cgroup and its descendants.</summary>
    IReadOnlyList<int> GetPids();

    CgroupStats GetStats();

    bool OomKilled();

    /// <summary>Sends the signal to every process until no new ones appear (bounded).</summary>
    void Kill(int signal);

    /// <summary>Removes the cgroup (and child cgroups) in every hierarchy; a missing cgroup is not an error.</summary>
    void Remove();
}
