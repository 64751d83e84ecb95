using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using PSContainers.Runtime.Spec;

using Xunit;

namespace PSContainers.Runtime.Tests.Integration;

/// <summary>Config fields that used to be ignored or refused, each run on the real kernel through the pscrun binary.</summary>
[Collection("pscrun")]
public sealed class RuntimeGapsTests : IClassFixture<PscrunFixture>
{
    private readonly PscrunFixture _f;

    public RuntimeGapsTests(PscrunFixture f)
    {
        _f = f;
    }

    // Fields 3.. of /proc/PID/stat, after the command name (which may hold spaces).
    private static string[] StatFields(string stat) => stat[(stat.LastIndexOf(')') + 2)..].Trim().Split(' ');

    [Fact]
    public void A13ConfigRunsAndFeaturesReportTheRange()
    {
        var r = _f.Run(["echo", "ran"], spec => spec.OciVersion = "1.3.0");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("ran\n", r.Stdout);

        var features = _f.Pscrun("features");
        using var doc = JsonDocument.Parse(features.Stdout);
        Assert.Equal("1.0.0", doc.RootElement.GetProperty("ociVersionMin").GetString());
        Assert.Equal("1.3.0", doc.RootElement.GetProperty("ociVersionMax").GetString());
    }

    [Fact]
    public void FifoAndUnbufferedDevicesAreCreated()
    {
        var r = _f.Run(["sh", "-c", "test -p /dev/myfifo && echo fifo; test -c /dev/mynull && echo char; echo x > /dev/mynull && echo writable; stat -c %a /dev/myfifo"], spec =>
            spec.Linux!.Devices =
            [
                new LinuxDevice { Path = "/dev/myfifo", Type = "p", FileMode = 0x1A0 },
                new LinuxDevice { Path = "/dev/mynull", Type = "u", Major = 1, Minor = 3, FileMode = 0x1B6 },
            ]);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("fifo\nchar\nwritable\n640\n", r.Stdout);
    }

    [Fact]
    public void TmpCopyUpFillsTheTmpfsWithTheDirectoryItCoversAndWritesStayInTheTmpfs()
    {
        var name = "copyup-" + Guid.NewGuid().ToString("N")[..8];
        var dir = Path.Combine(_f.Rootfs, name);
        Directory.CreateDirectory(Path.Combine(dir, "sub"));
        File.WriteAllText(Path.Combine(dir, "sub", "file"), "content\n");
        File.SetUnixFileMode(Path.Combine(dir, "sub", "file"), (UnixFileMode)0x1E0); // 0740
        File.CreateSymbolicLink(Path.Combine(dir, "link"), "sub/file");
        Assert.Equal(0, Chown(Path.Combine(dir, "sub"), 1234, 5678));
        try
        {
            var r = _f.Run(["sh", "-c", $"cd /{name} && cat link && stat -c '%a %u:%g' sub/file sub && readlink link && grep ' /{name} ' /proc/self/mountinfo | grep -c tmpfs && echo new > written"], spec =>
            {
                spec.Root!.Readonly = true;
                spec.Mounts!.Add(new Mount { Destination = "/" + name, Type = "tmpfs", Source = "tmpfs", Options = ["rw", "nosuid", "nodev", "tmpcopyup"] });
            });
            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.Equal($"content\n740 0:0\n755 1234:5678\nsub/file\n1\n", r.Stdout);
            Assert.False(File.Exists(Path.Combine(dir, "written")), "a write in the tmpfs must not reach the directory below it");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void TmpCopyUpOnANonTmpfsMountIsRefusedByName()
    {
        var r = _f.Run(["true"], spec => spec.Mounts!.Add(new Mount { Destination = "/mnt", Type = "bind", Source = "/tmp", Options = ["rbind", "tmpcopyup"] }));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("tmpcopyup", r.Stderr);
    }

    [Fact]
    public void RootfsPropagationUnbindableMakesTheContainerRootUnbindable()
    {
        var r = _f.Run(["awk", "$5 == \"/\"", "/proc/self/mountinfo"], spec => spec.Linux!.RootfsPropagation = "unbindable");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("unbindable", r.Stdout);
    }

    [Fact]
    public void PersonalityLinux32ChangesTheMachineUnameReports()
    {
        var plain = _f.Run(["uname", "-m"]);
        var r = _f.Run(["uname", "-m"], spec => spec.Linux!.Personality = new LinuxPersonality { Domain = "LINUX32" });
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("x86_64\n", plain.Stdout);
        Assert.Equal("i686\n", r.Stdout);
    }

    [Fact]
    public void SchedulerBatchWithNiceIsTheProcessPolicy()
    {
        var r = _f.Run(["cat", "/proc/self/stat"], spec => spec.Process!.Scheduler = new Scheduler { Policy = "SCHED_BATCH", Nice = 7 });
        Assert.True(r.ExitCode == 0, r.ToString());
        var fields = StatFields(r.Stdout);
        Assert.Equal("7", fields[16]);  // nice (field 19)
        Assert.Equal("3", fields[38]);  // policy (field 41): SCHED_BATCH
    }

    [Fact]
    public void SchedulerFifoRunsWithTheRealtimeBudgetOfTheContainerCgroup()
    {
        // With RT group scheduling a new cgroup has no realtime budget: the config gives it one.
        var r = _f.Run(["cat", "/proc/self/stat"], spec =>
        {
            spec.Process!.Scheduler = new Scheduler { Policy = "SCHED_FIFO", Priority = 10 };
            spec.Linux!.Resources = new LinuxResources { Cpu = new LinuxCpu { RealtimePeriod = 1_000_000, RealtimeRuntime = 10_000 } };
        });
        Assert.True(r.ExitCode == 0, r.ToString());
        var fields = StatFields(r.Stdout);
        Assert.Equal("10", fields[37]); // rt_priority (field 40)
        Assert.Equal("1", fields[38]);  // policy: SCHED_FIFO
    }

    [Fact]
    public void IoPriorityIsTheProcessIoPriority()
    {
        var r = _f.Run(["sh", "-c", "ionice -p $$"], spec => spec.Process!.IoPriority = new LinuxIoPriority { Class = "IOPRIO_CLASS_BE", Priority = 6 });
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("best-effort: prio 6", r.Stdout.Trim());
    }

    [Fact]
    public void ExecCpuAffinityFinalIsWhereTheExecdProcessRuns()
    {
        var id = PscrunFixture.NewId();
        var bundle = _f.NewBundle(["sleep", "60"]);
        try
        {
            Assert.Equal(0, _f.Pscrun("run", "-d", "--bundle", bundle, id).ExitCode);
            var process = new PSContainers.Runtime.Spec.Process
            {
                Args = ["grep", "Cpus_allowed_list", "/proc/self/status"], Cwd = "/", User = new User(),
                Env = ["PATH=/bin"], ExecCpuAffinity = new CpuAffinity { Initial = "0", Final = "0" },
            };
            var file = Path.Combine(bundle, "process.json");
            File.WriteAllText(file, JsonSerializer.Serialize(process, SpecJsonContext.Default.Process));
            var r = _f.Pscrun("exec", "--process", file, id);
            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.Equal("Cpus_allowed_list:\t0", r.Stdout.Trim());

            process.ExecCpuAffinity = new CpuAffinity { Final = "0-" };
            File.WriteAllText(file, JsonSerializer.Serialize(process, SpecJsonContext.Default.Process));
            var bad = _f.Pscrun("exec", "--process", file, id);
            Assert.Equal(1, bad.ExitCode);
            Assert.Contains("process.execCPUAffinity.final", bad.Stderr);
        }
        finally
        {
            _f.Pscrun("delete", "--force", id);
        }
    }

    [Fact]
    public void WithoutAMountNamespaceTheContainerSharesTheHostsMountsAndIsChrootedIntoItsRootfs()
    {
        var id = PscrunFixture.NewId();
        var marker = "no-mntns-" + id;
        File.WriteAllText(Path.Combine(_f.Rootfs, marker), "");
        var bundle = _f.NewBundle(["sh", "-c", $"test -e /{marker} && echo chrooted; sleep 60"], spec =>
        {
            spec.Linux!.Namespaces!.RemoveAll(n => n.Type == LinuxNamespaceType.Mount);
            spec.Mounts = [];
            spec.Linux.MaskedPaths = [];
            spec.Linux.ReadonlyPaths = [];
            spec.Linux.RootfsPropagation = null;
        });
        try
        {
            var r = _f.Pscrun("run", "-d", "--bundle", bundle, id);
            Assert.True(r.ExitCode == 0, r.ToString());
            var pid = _f.State(id).Pid!.Value;
            Assert.Equal(new FileInfo("/proc/self/ns/mnt").LinkTarget, new FileInfo($"/proc/{pid}/ns/mnt").LinkTarget);
            Assert.Equal(Path.GetFullPath(_f.Rootfs), new FileInfo($"/proc/{pid}/root").LinkTarget);
            Assert.NotEqual(new FileInfo("/proc/self/ns/pid").LinkTarget, new FileInfo($"/proc/{pid}/ns/pid").LinkTarget);
        }
        finally
        {
            _f.Pscrun("delete", "--force", id);
            File.Delete(Path.Combine(_f.Rootfs, marker));
        }
    }

    [Fact]
    public void ANamespaceTheConfigDoesNotListIsTheHosts()
    {
        // Only a mount namespace: pid, network, ipc, uts and cgroup are the runtime's own, as the spec says.
        var r = _f.Run(["sh", "-c", "for n in pid net ipc uts cgroup mnt; do readlink /proc/self/ns/$n; done"], spec =>
        {
            spec.Linux!.Namespaces!.RemoveAll(n => n.Type != LinuxNamespaceType.Mount);
            spec.Hostname = null;
        });
        Assert.True(r.ExitCode == 0, r.ToString());
        var inside = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var host = new[] { "pid", "net", "ipc", "uts", "cgroup", "mnt" }.Select(n => new FileInfo($"/proc/self/ns/{n}").LinkTarget).ToArray();
        Assert.Equal(host[..5], inside[..5]);
        Assert.NotEqual(host[5], inside[5]);
    }

    [Fact]
    public void AHostnameWithoutAUtsNamespaceIsRefusedByName()
    {
        var r = _f.Run(["true"], spec => spec.Linux!.Namespaces!.RemoveAll(n => n.Type == LinuxNamespaceType.Uts));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("hostname is set but linux.namespaces has no \"uts\" entry", r.Stderr);
    }

    [Fact]
    public void WithoutAMountNamespaceMountsAreRefusedByName()
    {
        var r = _f.Run(["true"], spec => spec.Linux!.Namespaces!.RemoveAll(n => n.Type == LinuxNamespaceType.Mount));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("mounts needs a mount namespace", r.Stderr);
    }

    public static TheoryData<string, string> Refused => new()
    {
        { "intelRdt", "linux.intelRdt" },
        { "apparmor", "process.apparmorProfile" },
        { "netDevices", "linux.netDevices" },
        { "personalityFlags", "linux.personality.flags" },
        { "schedulerPolicy", "process.scheduler.policy" },
        { "ioClass", "process.ioPriority.class" },
        { "hugepageSize", "\"3MB\"" },
        { "netClassId", "linux.resources.network.classID" },
        { "swappiness", "linux.resources.memory.swappiness" },
        { "kernelMemory", "linux.resources.memory.kernel" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void AFieldPscrunDoesNotHonourIsRefusedByNameAndLeavesNothing(string field, string expected)
    {
        if (field == "netClassId" && File.ReadAllText("/proc/self/mountinfo").Contains("net_cls", StringComparison.Ordinal))
        {
            // Implemented where the hierarchy is mounted; CgroupV1KernelResourceTests checks the value there.
            return;
        }

        var id = PscrunFixture.NewId();
        var bundle = _f.NewBundle(["true"], spec =>
        {
            spec.Linux!.CgroupsPath = "/psc-test/" + id;
            var resources = spec.Linux.Resources ??= new LinuxResources();
            switch (field)
            {
                case "intelRdt": spec.Linux.IntelRdt = new LinuxIntelRdt { ClosId = "x" }; break;
                case "apparmor": spec.Process!.ApparmorProfile = "docker-default"; break;
                case "netDevices": break;
                case "personalityFlags": spec.Linux.Personality = new LinuxPersonality { Domain = "LINUX", Flags = ["ADDR_NO_RANDOMIZE"] }; break;
                case "schedulerPolicy": spec.Process!.Scheduler = new Scheduler { Policy = "SCHED_NOPE" }; break;
                case "ioClass": spec.Process!.IoPriority = new LinuxIoPriority { Class = "IOPRIO_CLASS_NOPE" }; break;
                case "hugepageSize": resources.HugepageLimits = [new LinuxHugepageLimit { PageSize = "3MB", Limit = 1 << 22 }]; break;
                case "netClassId": resources.Network = new LinuxNetwork { ClassId = 0x100001 }; break;
                case "swappiness": resources.Memory = new LinuxMemory { Swappiness = 101 }; break;
                case "kernelMemory": resources.Memory = new LinuxMemory { Kernel = 1 << 26 }; break;
            }
        });
        if (field == "netDevices")
        {
            // Not in the model's setters on purpose: written as a 1.3 config would carry it.
            var path = Path.Combine(bundle, "config.json");
            var config = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!;
            config["linux"]!["netDevices"] = new System.Text.Json.Nodes.JsonObject { ["eth9"] = new System.Text.Json.Nodes.JsonObject { ["name"] = "eth0" } };
            File.WriteAllText(path, config.ToJsonString());
        }

        var r = _f.Pscrun("run", "--bundle", bundle, id);

        Assert.Equal(1, r.ExitCode);
        Assert.Contains(expected, r.Stderr);
        Assert.False(Directory.Exists(Path.Combine(_f.StateRoot, id)), "no state may be left");
        Assert.False(Directory.Exists($"/sys/fs/cgroup/memory/psc-test/{id}"), "no cgroup may be left");
    }

    [Fact]
    public void AContainerCannotWriteTheRuntimeBinaryThroughProcPidExe()
    {
        // CVE-2019-5736: the container makes `pscrun exec` run the runtime itself as an interpreter
        // (#!/proc/self/exe) and writes to it through /proc/PID/exe, while it runs and after it exits.
        // The runtime image blocks on a FIFO (its --log) until the attacker has tried, so nothing here is a race.
        var runtime = Path.Combine(_f.WorkDir, "pscrun-copy-" + Guid.NewGuid().ToString("N")[..6]);
        File.Copy(_f.Binary, runtime);
        File.SetUnixFileMode(runtime, (UnixFileMode)0x1ED);
        var before = SHA256.HashData(File.ReadAllBytes(runtime));
        var id = PscrunFixture.NewId();
        var tag = id[..8];
        File.WriteAllText(Path.Combine(_f.Rootfs, $"evil-{tag}"), $"#!/proc/self/exe --log=/tmp/fifo-{tag}\n");
        File.SetUnixFileMode(Path.Combine(_f.Rootfs, $"evil-{tag}"), (UnixFileMode)0x1ED);
        File.WriteAllText(Path.Combine(_f.Rootfs, $"attack-{tag}.sh"), $$"""
            r=/tmp/result-{{tag}}
            mkfifo /tmp/fifo-{{tag}}
            pid=; i=0
            while [ -z "$pid" ] && [ $i -lt 1200 ]; do
              for d in /proc/[0-9]*; do
                case "$(tr '\0' ' ' < $d/cmdline 2>/dev/null)" in *log=/tmp/fifo-{{tag}}*) pid=${d#/proc/} ;; esac
              done
              i=$((i+1)); sleep 0.1
            done
            echo "pid $pid" >> $r
            echo "target $(readlink /proc/$pid/exe)" >> $r
            exec 4< /proc/$pid/exe && echo opened-read >> $r
            (echo pwned >> /proc/$pid/exe) 2>> $r && echo WROTE-WHILE-RUNNING >> $r
            cat /tmp/fifo-{{tag}} > /dev/null
            i=0; while [ -e /proc/$pid ] && [ $i -lt 600 ]; do i=$((i+1)); sleep 0.1; done
            (echo pwned >> /proc/self/fd/4) 2>> $r && echo WROTE-AFTER-EXIT >> $r
            echo done >> $r
            sleep 60
            """);
        var result = Path.Combine(_f.Rootfs, "tmp", $"result-{tag}");
        var bundle = _f.NewBundle(["sh", $"/attack-{tag}.sh"]);
        try
        {
            Assert.Equal(0, _f.Pscrun("run", "-d", "--bundle", bundle, id).ExitCode);
            var exec = RunCopy(runtime, "exec", id, $"/evil-{tag}");
            for (var i = 0; i < 600 && !(File.Exists(result) && File.ReadAllText(result).Contains("done")); i++)
            {
                Thread.Sleep(100);
            }

            var report = File.ReadAllText(result);
            Assert.Contains("done", report);
            Assert.Matches(@"pid \d+", report);
            Assert.Contains("target /memfd:", report);
            Assert.DoesNotContain("WROTE", report);
            Assert.Equal(before, SHA256.HashData(File.ReadAllBytes(runtime)));
            Assert.NotEqual(0, exec.ExitCode);
        }
        finally
        {
            _f.Pscrun("delete", "--force", id);
            foreach (var f in new[] { $"evil-{tag}", $"attack-{tag}.sh", $"tmp/result-{tag}", $"tmp/fifo-{tag}" })
            {
                File.Delete(Path.Combine(_f.Rootfs, f));
            }

            File.Delete(runtime);
        }
    }

    private PscrunResult RunCopy(string runtime, params string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(runtime) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("--root");
        psi.ArgumentList.Add(_f.StateRoot);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = System.Diagnostics.Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(120_000), "pscrun exec did not finish");
        return new PscrunResult(p.ExitCode, stdout.Result, stderr.Result);
    }

    [DllImport("libc", EntryPoint = "chown", SetLastError = true)]
    private static extern int Chown(string path, uint uid, uint gid);
}
