namespace PSContainers.Runtime.Cgroups;

/// <summary>The manager for "cgroups disabled": every operation does nothing and reports nothing.</summary>
public sealed class NullCgroupManager : ICgroupManager
{
    public NullCgroupManager(string path = "")
    {
        Path = path;
    }

    public string Path { get; }

    public bool Exists => false;

    public IReadOnlyList<CgroupHierarchyDirectory> HierarchyDirectories => Array.Empty<CgroupHierarchyDirectory>();

    public ulong OomKillCount => 0;

    public void Create() { }

    public void AddProcess(int pid) { }

    public void Apply(CgroupResources resources) { }

    public void Freeze() { }

    public void Thaw() { }

    public CgroupFreezerState GetFreezerState() => CgroupFreezerState.Undefined;

    public IReadOnlyList<int> GetPids() => [];

    public CgroupStats GetStats() => new();

    public bool OomKilled() => false;

    public void Kill(int signal) { }

    public void Remove() { }
}
