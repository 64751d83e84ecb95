namespace PSContainers.Runtime.Tests.Cgroups;

// A cgroupfs look-alike in a temp directory: the files the kernel would create, with the
// contents a fresh cgroup shows. Writes from the drivers land in ordinary files.
internal sealed class FakeCgroupFs : IDisposable
{
    public FakeCgroupFs()
    {
        Root = Path.Join(Path.GetTempPath(), "pscontainers-fakecg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public string PathOf(params string[] parts) => Path.Join([Root, .. parts]);

    public string Read(params string[] parts) => File.ReadAllText(PathOf(parts)).Trim();

    public void Write(string content, params string[] parts)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(PathOf(parts))!);
        File.WriteAllText(PathOf(parts), content);
    }

    /// <summary>A v2 cgroup directory (relative to Root; "" is the root cgroup) with typical files.</summary>
    public string AddV2Cgroup(string relative, string controllers = "cpuset cpu io memory hugetlb pids rdma", bool swapAccounting = true)
    {
        string dir = Path.Join(Root, relative);
        Directory.CreateDirectory(dir);
        var files = new Dictionary<string, string>
        {
            ["cgroup.controllers"] = controllers,
            ["cgroup.subtree_control"] = "",
            ["cgroup.procs"] = "",
            ["cgroup.events"] = "populated 0\nfrozen 0\n",
            ["cgroup.freeze"] = "0",
            ["cgroup.kill"] = "",
            ["memory.max"] = "max",
            ["memory.low"] = "0",
            ["memory.current"] = "0",
            ["memory.events"] = "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n",
            ["memory.stat"] = "anon 0\nfile 0\n",
            ["cpu.weight"] = "100",
            ["cpu.max"] = "max 100000",
            ["cpu.stat"] = "usage_usec 0\nuser_usec 0\nsystem_usec 0\n",
            ["cpuset.cpus"] = "",
            ["cpuset.mems"] = "",
            ["pids.max"] = "max",
            ["pids.current"] = "0",
            ["io.weight"] = "default 100",
            ["io.max"] = "",
            ["io.stat"] = "",
        };
        if (swapAccounting)
        {
            files["memory.swap.max"] = "max";
        }

        foreach ((string name, string content) in files)
        {
            File.WriteAllText(Path.Join(dir, name), content);
        }

        return dir;
    }

    /// <summary>A v1 cgroup in one hierarchy directory (e.g. "cpu,cpuacct") with that hierarchy's files.</summary>
    public string AddV1Cgroup(string hierarchy, string relative, bool swapAccounting = true)
    {
        string dir = Path.Join(Root, hierarchy, relative);
        Directory.CreateDirectory(dir);
        var files = new Dictionary<string, string> { ["cgroup.procs"] = "", ["tasks"] = "" };
        foreach (string controller in Path.GetFileName(hierarchy).Split(','))
        {
            switch (controller)
            {
                case "memory":
                    files["memory.limit_in_bytes"] = "9223372036854771712";
                    files["memory.soft_limit_in_bytes"] = "9223372036854771712";
                    files["memory.usage_in_bytes"] = "0";
                    files["memory.max_usage_in_bytes"] = "0";
                    files["memory.oom_control"] = "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n";
                    files["memory.stat"] = "cache 0\nrss 0\n";
                    if (swapAccounting)
                    {
                        files["memory.memsw.limit_in_bytes"] = "9223372036854771712";
                    }

                    break;
                case "cpu":
                    files["cpu.shares"] = "1024";
                    files["cpu.cfs_quota_us"] = "-1";
                    files["cpu.cfs_period_us"] = "100000";
                    break;
                case "cpuacct":
                    files["cpuacct.usage"] = "0";
                    files["cpuacct.stat"] = "user 0\nsystem 0\n";
                    break;
                case "cpuset":
                    files["cpuset.cpus"] = relative.Length == 0 ? "0-3" : "";
                    files["cpuset.mems"] = relative.Length == 0 ? "0" : "";
                    break;
                case "pids":
                    files["pids.max"] = "max";
                    files["pids.current"] = "0";
                    break;
                case "blkio":
                    files["blkio.weight"] = "500";
                    files["blkio.leaf_weight"] = "500";
                    files["blkio.weight_device"] = "";
                    files["blkio.throttle.read_bps_device"] = "";
                    files["blkio.throttle.write_bps_device"] = "";
                    files["blkio.throttle.read_iops_device"] = "";
                    files["blkio.throttle.write_iops_device"] = "";
                    files["blkio.throttle.io_service_bytes_recursive"] = "Total 0";
                    files["blkio.throttle.io_serviced_recursive"] = "Total 0";
                    break;
                case "devices":
                    files["devices.allow"] = "";
                    files["devices.deny"] = "";
                    files["devices.list"] = "a *:* rwm";
                    break;
                case "freezer":
                    files["freezer.state"] = "THAWED";
                    break;
            }
        }

        foreach ((string name, string content) in files)
        {
            File.WriteAllText(Path.Join(dir, name), content);
        }

        return dir;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
