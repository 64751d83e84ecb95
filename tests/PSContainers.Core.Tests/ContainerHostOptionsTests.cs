using PSContainers.Core.Containers;

namespace PSContainers.Core.Tests;

public sealed class ContainerHostOptionsTests : IDisposable
{
    private const string Id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private readonly TempDirectory _rootfs = new();

    public ContainerHostOptionsTests()
    {
        Directory.CreateDirectory(Path.Combine(_rootfs.Path, "etc"));
        File.WriteAllLines(Path.Combine(_rootfs.Path, "etc/passwd"), ["root:x:0:0:root:/root:/bin/sh", "app:x:1000:1001:app:/home/app:/bin/sh"]);
        File.WriteAllLines(Path.Combine(_rootfs.Path, "etc/group"), ["root:x:0:", "audio:x:29:", "staff:x:50:app", "app:x:1001:"]);
    }

    public void Dispose() => _rootfs.Dispose();

    private ContainerCreateRequest Request() => new() { RootFs = _rootfs.Path, Command = ["true"] };

    [Theory]
    [InlineData("/dev/null", "/dev/null", "rwm")]
    [InlineData("/dev/null:/dev/mynull", "/dev/mynull", "rwm")]
    [InlineData("/dev/null:/dev/mynull:r", "/dev/mynull", "r")]
    [InlineData("/dev/null:mw", "/dev/null", "wm")]
    [InlineData("/dev/null:/dev/x/null:wr", "/dev/x/null", "rw")]
    public void DeviceTakesTheHostNodeAndThePermissions(string text, string path, string access)
    {
        var (device, rule) = ContainerHostOptions.ParseDevice(text);
        Assert.Equal(path, device.Path);
        Assert.Equal("c", device.Type);
        Assert.Equal(1, device.Major);
        Assert.Equal(3, device.Minor);
        Assert.Equal(("c", (long?)1, (long?)3, access, true), (rule.Type, rule.Major, rule.Minor, rule.Access, rule.Allow));
    }

    [Theory]
    [InlineData("", "HOST[:CONTAINER[:PERMS]]")]
    [InlineData("/dev/null:/dev/a:r:x", "HOST[:CONTAINER[:PERMS]]")]
    [InlineData("/dev/null:/dev/a:rx", "\"rx\"")]
    [InlineData("/dev/null:/dev/a:rr", "\"rr\"")]
    [InlineData("dev/null", "must be absolute")]
    [InlineData("/dev/null:dev/a", "must be an absolute path")]
    [InlineData("/dev/null:/dev/../etc/a", "without '..'")]
    [InlineData("/dev/null:/etc/null", "must be under /dev")]
    [InlineData("/dev/psc-no-such-device", "does not exist")]
    [InlineData("/etc/hostname", "not a character or block device")]
    public void DeviceRefusesBadInputNamingIt(string text, string why)
    {
        var e = Assert.Throws<ContainerEngineException>(() => ContainerHostOptions.ParseDevice(text));
        Assert.Contains(why, e.Message, StringComparison.Ordinal);
        Assert.Equal("InvalidArgument", e.ErrorId);
    }

    [Theory]
    [InlineData("c 1:3 rwm", "c", 1L, 3L, "rwm")]
    [InlineData("b 8:* r", "b", 8L, null, "r")]
    [InlineData("c *:* m", "c", null, null, "m")]
    [InlineData("a *:* mrw", "a", null, null, "rwm")]
    [InlineData("a", "a", null, null, "rwm")]
    public void CgroupRuleParsesDockersSyntax(string text, string type, long? major, long? minor, string access)
    {
        var rule = ContainerHostOptions.ParseCgroupRule(text);
        Assert.True(rule.Allow);
        Assert.Equal((type, major, minor, access), (rule.Type, rule.Major, rule.Minor, rule.Access));
    }

    [Theory]
    [InlineData("c 1:3", "three fields")]
    [InlineData("x 1:3 rwm", "\"x\" is not a, b or c")]
    [InlineData("c 1 rwm", "not MAJOR:MINOR")]
    [InlineData("c one:3 rwm", "\"one\" is neither")]
    [InlineData("c 1:3 rwx", "\"rwx\"")]
    [InlineData("c -1:3 r", "\"-1\"")]
    public void CgroupRuleRefusesBadSyntax(string text, string why)
    {
        var e = Assert.Throws<ContainerEngineException>(() => ContainerHostOptions.ParseCgroupRule(text));
        Assert.Contains(why, e.Message, StringComparison.Ordinal);
        Assert.Contains(text, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("kernel.msgmax")]
    [InlineData("kernel.shm_rmid_forced")]
    [InlineData("kernel.sem")]
    [InlineData("fs.mqueue.msg_max")]
    [InlineData("net.ipv4.ip_forward")]
    [InlineData("net.core.somaxconn")]
    [InlineData("kernel.domainname")]
    [InlineData("kernel.hostname")]
    public void NamespacedSysctlsAreAllowed(string key) => ContainerHostOptions.CheckSysctl(key, "");

    [Theory]
    [InlineData("kernel.pid_max", "not namespaced")]
    [InlineData("vm.swappiness", "not namespaced")]
    [InlineData("fs.file-max", "not namespaced")]
    [InlineData("kernel.msgmax2", "not namespaced")]
    [InlineData("net/ipv4/ip_forward", "Invalid sysctl name")]
    [InlineData("net..ipv4", "Invalid sysctl name")]
    [InlineData("", "Invalid sysctl name")]
    public void OtherSysctlsAreRefusedByName(string key, string why)
    {
        var e = Assert.Throws<ContainerEngineException>(() => ContainerHostOptions.CheckSysctl(key, ""));
        Assert.Contains($"\"{key}\"", e.Message, StringComparison.Ordinal);
        Assert.Contains(why, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NetSysctlsNeedTheContainersOwnNetwork()
    {
        var e = Assert.Throws<ContainerEngineException>(() => ContainerHostOptions.CheckSysctl("net.ipv4.ip_forward", "host"));
        Assert.Contains("net.ipv4.ip_forward", e.Message, StringComparison.Ordinal);
        Assert.Contains("-Network host", e.Message, StringComparison.Ordinal);
        ContainerHostOptions.CheckSysctl("kernel.shmmax", "host");
        ContainerHostOptions.CheckSysctl("net.ipv4.ip_forward", "none");
    }

    [Fact]
    public void TheSpecGetsDevicesRulesSysctlsGroupsAndOomScore()
    {
        var request = Request();
        request.Devices = ["/dev/null:/dev/mynull:r"];
        request.DeviceCgroupRules = ["c 10:200 rw"];
        request.Sysctls = new() { ["kernel.shmmax"] = "1234", ["net.ipv4.ip_forward"] = "1" };
        request.GroupAdd = ["audio", "4321", "audio"];
        request.OomScoreAdj = 500;
        var spec = ContainerSpecBuilder.Build(Id, request, "/m");
        var device = Assert.Single(spec.Linux!.Devices!, d => d.Path == "/dev/mynull");
        Assert.Equal(("c", (long?)1, (long?)3), (device.Type, device.Major, device.Minor));
        var rules = spec.Linux.Resources!.Devices!;
        Assert.False(rules[0].Allow);
        Assert.Contains(rules, r => r.Allow && r is { Type: "c", Major: 1, Minor: 3, Access: "r" });
        Assert.Contains(rules, r => r.Allow && r is { Type: "c", Major: 10, Minor: 200, Access: "rw" });
        Assert.Equal("1234", spec.Linux.Sysctl!["kernel.shmmax"]);
        Assert.Equal([0u, 29u, 4321u], spec.Process!.User!.AdditionalGids!);
        Assert.Equal(500, spec.Process.OomScoreAdj);
    }

    [Fact]
    public void GroupAddKeepsTheUsersOwnGroups()
    {
        var request = Request();
        request.User = "app";
        request.GroupAdd = ["audio"];
        var user = ContainerSpecBuilder.Build(Id, request, "/m").Process!.User!;
        Assert.Equal(1000u, user.Uid);
        Assert.Equal([1001u, 50u, 29u], user.AdditionalGids!);
    }

    [Fact]
    public void UnknownGroupAndOutOfRangeOomScoreAreRefused()
    {
        var request = Request();
        request.GroupAdd = ["nosuchgroup"];
        var e = Assert.Throws<ContainerEngineException>(() => ContainerHostOptions.Validate(request, [_rootfs.Path]));
        Assert.Contains("\"nosuchgroup\"", e.Message, StringComparison.Ordinal);
        request.GroupAdd = [];
        request.OomScoreAdj = -1001;
        e = Assert.Throws<ContainerEngineException>(() => ContainerHostOptions.Validate(request, [_rootfs.Path]));
        Assert.Contains("-1001", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PrivilegedKeepsItsAllowAllRule()
    {
        var request = Request();
        request.Privileged = true;
        request.Devices = ["/dev/null:/dev/mynull:r"];
        request.DeviceCgroupRules = ["c 1:3 r"];
        var spec = ContainerSpecBuilder.Build(Id, request, "/m");
        var rule = Assert.Single(spec.Linux!.Resources!.Devices!);
        Assert.True(rule.Allow);
        Assert.Equal("rwm", rule.Access);
        Assert.Contains(spec.Linux.Devices!, d => d.Path == "/dev/mynull");
    }
}
