using System.Text;
using PSContainers.Core.Containers;
using PSContainers.Core.Security;
using PSContainers.Runtime.Seccomp;
using PSContainers.Runtime.Spec;
using PSContainers.Runtime.Tests.Seccomp;
using Xunit;

namespace PSContainers.Core.Tests.Security;

public class SeccompProfilesTests
{
    private const uint Eperm = Bpf.RetErrno | 1, Enosys = Bpf.RetErrno | 38;
    private const ulong CloneNewNs = 0x20000, CloneNewUser = 0x10000000, CloneNewNet = 0x40000000;
    // What glibc's pthread_create and fork pass.
    private const ulong ThreadFlags = 0x3d0f00, ForkFlags = 0x1200011;
    private static readonly Version Kernel = new(6, 18);

    private static SockFilter[] DefaultFilter(params string[] extraCaps)
    {
        var caps = DefaultSpecs.EngineCapabilities.Concat(extraCaps.Select(CapabilityNames.Normalize));
        return SeccompCompiler.Compile(SeccompProfiles.ToOci(SeccompProfiles.DefaultProfile, caps, Kernel)).Instructions;
    }

    private static uint Verdict(SockFilter[] program, string name, params ulong[] args)
    {
        Assert.True(SyscallTable.TryGetNumber(name, out var nr), name);
        return BpfInterpreter.Run(program, new BpfInterpreter.SeccompData(nr, Bpf.AuditArchX86_64, args));
    }

    [Fact]
    public void TheDefaultProfile_ClassifiesEveryX86_64Syscall()
    {
        var named = SeccompProfiles.DefaultProfile.Syscalls!.SelectMany(s => s.Names ?? []).ToHashSet();
        var missing = SyscallTable.Names.Where(n => !named.Contains(n)).ToList();
        Assert.Empty(missing);
    }

    [Theory]
    [InlineData("keyctl")]
    [InlineData("add_key")]
    [InlineData("request_key")]
    [InlineData("unshare")]
    [InlineData("setns")]
    [InlineData("mount")]
    [InlineData("umount2")]
    [InlineData("pivot_root")]
    [InlineData("kexec_load")]
    [InlineData("init_module")]
    [InlineData("bpf")]
    [InlineData("perf_event_open")]
    [InlineData("userfaultfd")]
    [InlineData("open_by_handle_at")]
    [InlineData("reboot")]
    [InlineData("swapon")]
    [InlineData("settimeofday")]
    [InlineData("syslog")]
    [InlineData("io_uring_setup")]
    [InlineData("kcmp")]
    [InlineData("fsopen")]
    public void TheDefaultProfile_DeniesWhatReachesTheHost_WithEperm(string name)
    {
        Assert.Equal(Eperm, Verdict(DefaultFilter(), name));
    }

    [Theory]
    [InlineData("read")]
    [InlineData("write")]
    [InlineData("openat")]
    [InlineData("execve")]
    [InlineData("mkdir")]
    [InlineData("chroot")]
    [InlineData("mknod")]
    [InlineData("setresuid")]
    [InlineData("capset")]
    [InlineData("close_range")]
    [InlineData("rt_sigaction")]
    [InlineData("wait4")]
    [InlineData("ptrace")]
    [InlineData("seccomp")]
    [InlineData("prctl")]
    [InlineData("statx")]
    [InlineData("fchmodat2")]
    [InlineData("futex")]
    [InlineData("rseq")]
    public void TheDefaultProfile_AllowsWhatProgramsNeed(string name)
    {
        Assert.Equal(Bpf.RetAllow, Verdict(DefaultFilter(), name));
    }

    [Fact]
    public void Clone3_IsAnsweredEnosys_SoLibcFallsBackToClone()
    {
        Assert.Equal(Enosys, Verdict(DefaultFilter(), "clone3"));
    }

    [Fact]
    public void Clone_WithANamespaceFlag_IsDenied_ThreadsAndForksAreNot()
    {
        var filter = DefaultFilter();
        Assert.Equal(Bpf.RetAllow, Verdict(filter, "clone", ThreadFlags));
        Assert.Equal(Bpf.RetAllow, Verdict(filter, "clone", ForkFlags));
        Assert.Equal(Eperm, Verdict(filter, "clone", ForkFlags | CloneNewUser));
        Assert.Equal(Eperm, Verdict(filter, "clone", CloneNewNs | 17));
        Assert.Equal(Eperm, Verdict(filter, "clone", CloneNewNet));
    }

    [Fact]
    public void Socket_AllowsEveryFamilyButVsock()
    {
        var filter = DefaultFilter();
        Assert.Equal(Bpf.RetAllow, Verdict(filter, "socket", 2 /* AF_INET */, 1));
        Assert.Equal(Bpf.RetAllow, Verdict(filter, "socket", 1 /* AF_UNIX */, 1));
        Assert.Equal(Bpf.RetAllow, Verdict(filter, "socket", 16 /* AF_NETLINK */, 3));
        Assert.Equal(Eperm, Verdict(filter, "socket", 40 /* AF_VSOCK */, 1));
    }

    [Theory]
    [InlineData(0ul, true)]
    [InlineData(8ul, true)]
    [InlineData(0x20000ul, true)]
    [InlineData(0x20008ul, true)]
    [InlineData(0xfffffffful, true)]
    [InlineData(0x0040000ul, false)] // ADDR_NO_RANDOMIZE
    [InlineData(0x0400000ul, false)] // READ_IMPLIES_EXEC
    [InlineData(0x1_00000000ul, false)]
    public void Personality_AllowsOnlyTheSafeValues(ulong persona, bool allowed)
    {
        Assert.Equal(allowed ? Bpf.RetAllow : Eperm, Verdict(DefaultFilter(), "personality", persona));
    }

    [Fact]
    public void CapSysAdmin_OpensNamespacesAndMounts_AsDockersDoes()
    {
        var filter = DefaultFilter("SYS_ADMIN");
        Assert.Equal(Bpf.RetAllow, Verdict(filter, "unshare", CloneNewNs));
        Assert.Equal(Bpf.RetAllow, Verdict(filter, "mount"));
        Assert.Equal(Bpf.RetAllow, Verdict(filter, "clone", ForkFlags | CloneNewUser));
        Assert.Equal(Bpf.RetAllow, Verdict(filter, "clone3"));
        // Still nothing for the keyring.
        Assert.Equal(Eperm, Verdict(filter, "keyctl"));
    }

    [Theory]
    [InlineData("SYS_PTRACE", "kcmp")]
    [InlineData("SYS_PTRACE", "pidfd_getfd")]
    [InlineData("SYS_TIME", "settimeofday")]
    [InlineData("SYS_MODULE", "finit_module")]
    [InlineData("SYS_BOOT", "reboot")]
    [InlineData("SYS_RAWIO", "iopl")]
    [InlineData("SYS_NICE", "mbind")]
    [InlineData("SYSLOG", "syslog")]
    [InlineData("BPF", "bpf")]
    [InlineData("PERFMON", "perf_event_open")]
    [InlineData("DAC_READ_SEARCH", "open_by_handle_at")]
    [InlineData("SYS_PACCT", "acct")]
    [InlineData("SYS_TTY_CONFIG", "vhangup")]
    public void ACapability_OpensItsSyscalls(string cap, string name)
    {
        Assert.Equal(Eperm, Verdict(DefaultFilter(), name));
        Assert.Equal(Bpf.RetAllow, Verdict(DefaultFilter(cap), name));
    }

    [Fact]
    public void DroppingSysChroot_ClosesChroot()
    {
        var caps = DefaultSpecs.EngineCapabilities.Where(c => c != "CAP_SYS_CHROOT");
        var filter = SeccompCompiler.Compile(SeccompProfiles.ToOci(SeccompProfiles.DefaultProfile, caps, Kernel)).Instructions;
        Assert.Equal(Eperm, Verdict(filter, "chroot"));
    }

    [Fact]
    public void TheDefaultFilter_IsSmall_AndEachCallIsAFewInstructions()
    {
        // Two sections: x86_64 and i386 (the default profile lists SCMP_ARCH_X86), each a search plus argument blocks.
        var filter = DefaultFilter();
        Assert.True(filter.Length < 500, $"{filter.Length} instructions");
        var worst = 0;
        foreach (var name in SyscallTable.Names)
        {
            SyscallTable.TryGetNumber(name, out var nr);
            BpfInterpreter.Run(filter, new BpfInterpreter.SeccompData(nr, Bpf.AuditArchX86_64, [0, 0, 0, 0, 0, 0]), out var steps);
            worst = Math.Max(worst, steps);
        }

        Assert.True(worst < 30, $"worst path {worst} instructions");
        var worstI386 = 0;
        foreach (var name in SyscallTableI386.Names)
        {
            SyscallTableI386.TryGetNumber(name, out var nr);
            BpfInterpreter.Run(filter, new BpfInterpreter.SeccompData(nr, Bpf.AuditArchI386, [0, 0, 0, 0, 0, 0]), out var steps);
            worstI386 = Math.Max(worstI386, steps);
        }

        Assert.True(worstI386 < 32, $"worst i386 path {worstI386} instructions");
    }

    private static DockerSeccompProfile Parse(string json) => SeccompProfiles.Parse(new MemoryStream(Encoding.UTF8.GetBytes(json)), "test.json");

    [Fact]
    public void IncludesAndExcludes_FollowDockersRules()
    {
        var profile = Parse("""
        {
          "defaultAction": "SCMP_ACT_ERRNO",
          "archMap": [ { "architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"] },
                       { "architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"] } ],
          "syscalls": [
            { "names": ["read"], "action": "SCMP_ACT_ALLOW" },
            { "names": ["write"], "action": "SCMP_ACT_ALLOW", "includes": { "arches": ["arm64"] } },
            { "names": ["mkdir"], "action": "SCMP_ACT_ALLOW", "includes": { "arches": ["amd64"], "minKernel": "5.4" } },
            { "names": ["rmdir"], "action": "SCMP_ACT_ALLOW", "includes": { "minKernel": "7.1" } },
            { "names": ["mount"], "action": "SCMP_ACT_ALLOW", "includes": { "caps": ["CAP_SYS_ADMIN", "CAP_NET_ADMIN"] } },
            { "names": ["chroot"], "action": "SCMP_ACT_ALLOW", "excludes": { "caps": ["CAP_SYS_CHROOT", "CAP_SYS_ADMIN"] } },
            { "name": "getpid", "action": "SCMP_ACT_ALLOW", "excludes": { "minKernel": "6.0" } }
          ]
        }
        """);
        var oci = SeccompProfiles.ToOci(profile, ["CAP_SYS_ADMIN"], Kernel);
        Assert.Equal(["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"], oci.Architectures);
        Assert.Equal(["read", "mkdir"], oci.Syscalls!.SelectMany(s => s.Names));
        var withBoth = SeccompProfiles.ToOci(profile, ["CAP_NET_ADMIN", "sys_admin"], new Version(5, 10));
        Assert.Equal(["read", "mkdir", "mount", "getpid"], withBoth.Syscalls!.SelectMany(s => s.Names));
        var none = SeccompProfiles.ToOci(profile, [], new Version(4, 19));
        Assert.Equal(["read", "chroot", "getpid"], none.Syscalls!.SelectMany(s => s.Names));
    }

    [Fact]
    public void PodmansProfile_IsReadAndCompiles_WithItsNamedErrnos()
    {
        const string path = "/usr/share/containers/seccomp.json";
        // podman is in build.ps1's apt packages: its profile is always there on our machines.
        var oci = SeccompProfiles.ToOci(SeccompProfiles.Load(path), DefaultSpecs.EngineCapabilities, Kernel);
        Assert.Equal(38u, oci.DefaultErrnoRet);
        var program = SeccompCompiler.Compile(oci).Instructions;
        Assert.Equal(Bpf.RetAllow, Verdict(program, "read"));
        Assert.Equal(Bpf.RetErrno | 38, Verdict(program, "personality", 0x0040000));
    }

    [Fact]
    public void AMisspeltMember_IsAnErrorThatNamesIt()
    {
        var e = Assert.Throws<ContainerEngineException>(() => Parse("""{ "defaultAction": "SCMP_ACT_ALLOW", "syscals": [] }"""));
        Assert.Contains("syscals", e.Message);
        var e2 = Assert.Throws<ContainerEngineException>(() => SeccompProfiles.ToOci(Parse("""{ "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": ["read"], "action": "SCMP_ACT_ALLOW", "includes": { "minKernel": "five" } } ] }"""), [], Kernel));
        Assert.Contains("minKernel", e2.Message);
    }
}
