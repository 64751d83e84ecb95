using System.Text.Json;
using PSContainers.Runtime.Spec;
using Xunit;

namespace PSContainers.Runtime.Tests.Spec;

/// <summary>The serializer-free reader of config.json agrees with System.Text.Json, or steps aside.</summary>
public sealed class SpecFastReaderTests
{
    public static TheoryData<string, bool> Configs()
    {
        var engine = DefaultSpecs.ForEngine("/var/lib/x/rootfs", new[] { "sh", "-c", "echo hi" }, "host");
        engine.Linux!.Resources!.Memory = new LinuxMemory { Limit = 33554432, Swap = 33554432, DisableOomKiller = false };
        engine.Linux.Resources.Cpu = new LinuxCpu { Quota = 50000, Period = 100000, Shares = 512, Cpus = "0" };
        engine.Linux.Resources.Pids = new LinuxPids { Limit = 10 };
        engine.Linux.Resources.BlockIo = new LinuxBlockIo
        {
            Weight = 500,
            ThrottleReadBpsDevice = new List<LinuxThrottleDevice> { new() { Major = 8, Minor = 0, Rate = 1048576 } },
        };
        engine.Process!.ConsoleSize = new Box { Height = 30, Width = 100 };
        engine.Process.User = new User { Uid = 1000, Gid = 1000, AdditionalGids = new List<uint> { 10, 20 }, Umask = 18 };
        engine.Hooks = new Hooks { Poststop = new List<Hook> { new() { Path = "/bin/true", Args = new List<string> { "true" }, Timeout = 5 } } };
        engine.Linux.UidMappings = new List<LinuxIdMapping> { new() { ContainerId = 0, HostId = 100000, Size = 65536 } };
        engine.Annotations = new Dictionary<string, string> { ["a"] = "b" };
        engine.Linux.Seccomp = new LinuxSeccomp
        {
            DefaultAction = "SCMP_ACT_ERRNO", DefaultErrnoRet = 1, Architectures = ["SCMP_ARCH_X86_64"], Flags = ["SECCOMP_FILTER_FLAG_LOG"],
            Syscalls =
            [
                new LinuxSyscall { Names = ["read", "write"], Action = "SCMP_ACT_ALLOW" },
                new LinuxSyscall { Names = ["clone3"], Action = "SCMP_ACT_ERRNO", ErrnoRet = 38 },
                new LinuxSyscall
                {
                    Names = ["clone"], Action = "SCMP_ACT_ALLOW",
                    Args = [new LinuxSeccompArg { Index = 0, Value = 2114060288, ValueTwo = 0, Op = "SCMP_CMP_MASKED_EQ" }],
                },
            ],
        };
        return new TheoryData<string, bool>
        {
            { SpecSamples.RuncSpec, true },
            { SpecLoader.Serialize(DefaultSpecs.ForRuncSpecCommand()), true },
            { SpecLoader.Serialize(engine), true },
            { SpecSamples.Everything, false },
        };
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void ReadsWhatTheSerializerReads(string json, bool expectFastPath)
    {
        var slow = JsonSerializer.Deserialize(json, SpecJsonContext.Default.Spec)!;
        var fast = SpecFastReader.TryRead(json);
        if (expectFastPath)
        {
            Assert.NotNull(fast);
        }

        if (fast is not null)
        {
            Assert.Equal(SpecLoader.Serialize(slow), SpecLoader.Serialize(fast));
        }
    }

    [Theory]
    [InlineData("""{"ociVersion": "1.0.2", "root": {"path": "rootfs"}, "extension": 1}""")]
    [InlineData("""{"ociVersion": "1.0.2", "root": {"path": "rootfs"}, "hostname": null}""")]
    [InlineData("""{"ociVersion": "1.0.2", "linux": {"seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "extension": true}}}""")]
    [InlineData("""{"ociVersion": "1.0.2", "linux": {"seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [{"index": -1, "value": 0, "op": "SCMP_CMP_EQ"}]}]}}}""")]
    [InlineData("""{"ociVersion": "1.0.2", "process": {"args": "not a list"}}""")]
    [InlineData("""{"ociVersion": "1.0.2", "process": {"user": {"uid": -1}}}""")]
    [InlineData("""not json""")]
    public void StepsAsideForAnythingItDoesNotKnow(string json)
    {
        Assert.Null(SpecFastReader.TryRead(json));
    }

    [Fact]
    public void InvalidConfigsStillGetTheSerializersMessage()
    {
        var e = Assert.Throws<SpecException>(() => SpecLoader.Parse("""{"ociVersion": "1.0.2", "process": {"args": "not a list"}}"""));
        Assert.Contains("args", e.Message);
    }
}
