using System.Diagnostics;
using System.Text.Json;
using PSContainers.Runtime.Spec;
using OciSpec = PSContainers.Runtime.Spec.Spec;

using Xunit;

namespace PSContainers.Runtime.Tests.Integration;

/// <summary>A busybox root filesystem, a private pscrun state root and a way to run the pscrun binary.</summary>
public sealed class PscrunFixture : IDisposable
{
    public PscrunFixture()
    {
        Binary = Environment.GetEnvironmentVariable("PSCRUN") ?? FindBuiltBinary();
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException($"pscrun binary not found at {Binary}: run ./build.ps1 Build first (or set PSCRUN)");
        }

        WorkDir = Directory.CreateTempSubdirectory("psc-rt-").FullName;
        // A user-namespaced container's root must be able to walk to its rootfs.
        File.SetUnixFileMode(WorkDir, (UnixFileMode)0x1ED);
        StateRoot = Path.Combine(WorkDir, "state");
        Rootfs = Path.Combine(WorkDir, "rootfs");
        BusyboxRootfs.Create(Rootfs);
    }

    public string Binary { get; }

    public string WorkDir { get; }

    public string StateRoot { get; }

    public string Rootfs { get; }

    private static string FindBuiltBinary()
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "PSContainers.sln")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        return Path.Combine(dir ?? ".", "out", "PSContainers", "pscrun");
    }

    /// <summary>A bundle whose config is the runc template with the given command; the test may edit it.</summary>
    public string NewBundle(string[] args, Action<OciSpec>? edit = null)
    {
        var bundle = Path.Combine(WorkDir, "bundle-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(bundle);
        var spec = DefaultSpecs.ForRuncSpecCommand();
        spec.Root = new Root { Path = Rootfs, Readonly = false };
        spec.Process!.Terminal = false;
        spec.Process.Args = args.ToList();
        spec.Hostname = "psc-test";
        edit?.Invoke(spec);
        File.WriteAllText(Path.Combine(bundle, "config.json"), SpecLoader.Serialize(spec));
        return bundle;
    }

    public static string NewId() => "t" + Guid.NewGuid().ToString("N")[..12];

    public PscrunResult Pscrun(params string[] args) => Pscrun(TimeSpan.FromSeconds(60), args);

    public PscrunResult Pscrun(TimeSpan timeout, params string[] args)
    {
        // Output goes to files, not pipes: a detached container keeps pscrun's stdio open long after pscrun exits.
        var outFile = Path.Combine(WorkDir, "out-" + Guid.NewGuid().ToString("N"));
        var errFile = outFile + ".err";
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("exec \"$0\" \"$@\" >\"$PSC_OUT\" 2>\"$PSC_ERR\" </dev/null");
        psi.ArgumentList.Add(Binary);
        psi.ArgumentList.Add("--root");
        psi.ArgumentList.Add(StateRoot);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["PSC_OUT"] = outFile;
        psi.Environment["PSC_ERR"] = errFile;
        using var p = System.Diagnostics.Process.Start(psi)!;
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"pscrun {string.Join(' ', args)} did not finish in {timeout}");
        }

        var result = new PscrunResult(p.ExitCode, File.ReadAllText(outFile), File.ReadAllText(errFile));
        File.Delete(outFile);
        File.Delete(errFile);
        return result;
    }

    /// <summary>Runs a one-shot container in the foreground and returns what it printed.</summary>
    public PscrunResult Run(string[] args, Action<OciSpec>? edit = null)
    {
        var bundle = NewBundle(args, edit);
        return Pscrun("run", "--bundle", bundle, NewId());
    }

    public State State(string id)
    {
        var r = Pscrun("state", id);
        Assert.True(r.ExitCode == 0, $"state failed: {r.Stderr}");
        return JsonSerializer.Deserialize(r.Stdout, SpecJsonContext.Default.State)!;
    }

    public void Dispose()
    {
        // Whatever a failed test left running is removed here.
        if (Directory.Exists(StateRoot))
        {
            foreach (var dir in Directory.GetDirectories(StateRoot))
            {
                Pscrun("delete", "--force", Path.GetFileName(dir));
            }
        }

        Directory.Delete(WorkDir, recursive: true);

        // The tests' common cgroup parent goes once it is empty (rmdir fails harmlessly while another class uses it).
        foreach (var hierarchy in Directory.GetDirectories("/sys/fs/cgroup"))
        {
            var parent = Path.Combine(hierarchy, "psc-test");
            if (Directory.Exists(parent))
            {
                try
                {
                    Directory.Delete(parent);
                }
                catch (IOException)
                {
                }
            }
        }
    }
}
