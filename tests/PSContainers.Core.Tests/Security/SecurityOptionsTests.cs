using PSContainers.Core.Containers;
using PSContainers.Core.Security;
using PSContainers.Runtime.Spec;
using Xunit;

namespace PSContainers.Core.Tests.Security;

public class SecurityOptionsTests
{
    private static Spec SpecFor(params string[] securityOpt) => SpecFor(false, securityOpt);

    private static Spec SpecFor(bool privileged, params string[] securityOpt)
    {
        var request = new ContainerCreateRequest { RootFs = "/nonexistent", Command = ["/bin/true"], Privileged = privileged, SecurityOpt = [.. securityOpt] };
        return ContainerSpecBuilder.Build(new string('a', 64), request, "/nonexistent");
    }

    [Fact]
    public void AContainer_GetsTheDefaultProfile_WithoutNoNewPrivileges()
    {
        var spec = SpecFor();
        Assert.NotNull(spec.Linux!.Seccomp);
        Assert.Equal("SCMP_ACT_ERRNO", spec.Linux.Seccomp.DefaultAction);
        Assert.Contains(spec.Linux.Seccomp.Syscalls!, s => s.Names.Contains("read"));
        Assert.NotEqual(true, spec.Process!.NoNewPrivileges);
    }

    [Fact]
    public void Unconfined_AndPrivileged_RunWithoutAFilter()
    {
        Assert.Null(SpecFor("seccomp=unconfined").Linux!.Seccomp);
        Assert.Null(SpecFor(privileged: true).Linux!.Seccomp);
    }

    [Fact]
    public void AProfileFile_IsUsed_EvenWhenPrivileged()
    {
        var path = Path.Combine(Path.GetTempPath(), $"psc-seccomp-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """{ "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO" } ] }""");
        try
        {
            foreach (var privileged in new[] { false, true })
            {
                var seccomp = SpecFor(privileged, "seccomp=" + path).Linux!.Seccomp!;
                Assert.Equal("SCMP_ACT_ALLOW", seccomp.DefaultAction);
                Assert.Equal(["mkdir", "mkdirat"], seccomp.Syscalls!.Single().Names);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("no-new-privileges", true)]
    [InlineData("no-new-privileges=true", true)]
    [InlineData("no-new-privileges=false", false)]
    public void NoNewPrivileges_SetsTheProcessFlag(string option, bool expected)
    {
        Assert.Equal(expected, SpecFor(option).Process!.NoNewPrivileges);
    }

    [Theory]
    [InlineData("apparmor=unconfined")]
    [InlineData("label=disable")]
    public void LsmOffSwitches_AreAcceptedAsNoOps(string option)
    {
        Assert.NotNull(SpecFor(option).Linux!.Seccomp);
    }

    [Theory]
    [InlineData("seccomp", "seccomp needs a value")]
    [InlineData("no-new-privileges=maybe", "true or false")]
    [InlineData("apparmor=docker-default", "apparmor=unconfined")]
    [InlineData("label=type:svirt_t", "label=disable")]
    [InlineData("systempaths=unconfined", "systempaths")]
    [InlineData("seccomp=/nonexistent/profile.json", "/nonexistent/profile.json")]
    public void BadOptions_AreRefused_NamingTheOption(string option, string named)
    {
        var e = Assert.Throws<ContainerEngineException>(() => SpecFor(option));
        Assert.Contains(named, e.Message);
        Assert.Contains(option.Split('=')[0], e.Message);
    }

    [Fact]
    public void AProfileWithNotify_IsRefusedAtCreate()
    {
        var path = Path.Combine(Path.GetTempPath(), $"psc-seccomp-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """{ "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": ["mkdir"], "action": "SCMP_ACT_NOTIFY" } ] }""");
        try
        {
            var e = Assert.Throws<ContainerEngineException>(() => SpecFor("seccomp=" + path));
            Assert.Contains("SCMP_ACT_NOTIFY", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
