using System.Diagnostics;

using Xunit;

namespace PSContainers.Runtime.Tests.Integration;

/// <summary>Of the descriptors pscrun inherits, only stdio and the first --preserve-fds ones reach the container.</summary>
[Collection("pscrun")]
public sealed class InheritedFdTests : IClassFixture<PscrunFixture>
{
    private readonly PscrunFixture _f;

    public InheritedFdTests(PscrunFixture f)
    {
        _f = f;
    }

    [Fact]
    public void DescriptorsLeftOpenByTheCallerDoNotLeakIntoTheContainer()
    {
        var secret = NewSecretFile();
        var bundle = _f.NewBundle(new[] { "ls", "/proc/self/fd" });
        var r = RunFromLauncher($"exec 3<{secret} 4<{secret} 7<{secret}", "run", "--bundle", bundle, PscrunFixture.NewId());
        Assert.True(r.ExitCode == 0, r.ToString());
        // 3 is the directory ls itself opened: it takes the lowest free number, so any leaked 3 or 4 would push it up.
        Assert.Equal(new[] { "0", "1", "2", "3" }, Fds(r.Stdout));
    }

    [Fact]
    public void PreserveFdsPassesExactlyThatManyDescriptorsAfterStdio()
    {
        var secret = NewSecretFile();
        var launch = $"exec 3<{secret} 4<{secret} 7<{secret}";

        var read = RunFromLauncher(launch, "run", "--preserve-fds", "1", "--bundle", _f.NewBundle(new[] { "cat", "/proc/self/fd/3" }), PscrunFixture.NewId());
        Assert.True(read.ExitCode == 0, read.ToString());
        Assert.Equal(File.ReadAllText(secret), read.Stdout);

        var list = RunFromLauncher(launch, "run", "--preserve-fds", "1", "--bundle", _f.NewBundle(new[] { "ls", "/proc/self/fd" }), PscrunFixture.NewId());
        Assert.True(list.ExitCode == 0, list.ToString());
        // 4 is ls's own directory: the caller's 4 and 7 stayed outside.
        Assert.Equal(new[] { "0", "1", "2", "3", "4" }, Fds(list.Stdout));
    }

    [Fact]
    public void ExecPassesOnlyStdioAndItsOwnPreserveFds()
    {
        var secret = NewSecretFile();
        var launch = $"exec 3<{secret} 4<{secret} 7<{secret}";
        var id = PscrunFixture.NewId();
        try
        {
            var r = _f.Pscrun("run", "-d", "--bundle", _f.NewBundle(new[] { "sleep", "60" }), id);
            Assert.True(r.ExitCode == 0, r.ToString());

            var plain = RunFromLauncher(launch, "exec", id, "ls", "/proc/self/fd");
            Assert.True(plain.ExitCode == 0, plain.ToString());
            Assert.Equal(new[] { "0", "1", "2", "3" }, Fds(plain.Stdout));

            var read = RunFromLauncher(launch, "exec", "--preserve-fds", "1", id, "cat", "/proc/self/fd/3");
            Assert.True(read.ExitCode == 0, read.ToString());
            Assert.Equal(File.ReadAllText(secret), read.Stdout);

            var list = RunFromLauncher(launch, "exec", "--preserve-fds", "1", id, "ls", "/proc/self/fd");
            Assert.True(list.ExitCode == 0, list.ToString());
            Assert.Equal(new[] { "0", "1", "2", "3", "4" }, Fds(list.Stdout));
        }
        finally
        {
            _f.Pscrun("delete", "--force", id);
        }
    }

    private string NewSecretFile()
    {
        var path = Path.Combine(_f.WorkDir, "fd-" + Guid.NewGuid().ToString("N"));
        File.WriteAllText(path, "preserved " + Guid.NewGuid().ToString("N") + "\n");
        return path;
    }

    private static string[] Fds(string lsOutput) =>
        lsOutput.Split(new[] { '\n', ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries).OrderBy(int.Parse).ToArray();

    // The shell opens descriptors without close-on-exec and then becomes pscrun: what a careless caller hands over.
    private PscrunResult RunFromLauncher(string openFds, params string[] args)
    {
        var outFile = Path.Combine(_f.WorkDir, "out-" + Guid.NewGuid().ToString("N"));
        var errFile = outFile + ".err";
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(openFds + "; exec \"$0\" \"$@\" >\"$PSC_OUT\" 2>\"$PSC_ERR\" </dev/null");
        psi.ArgumentList.Add(_f.Binary);
        psi.ArgumentList.Add("--root");
        psi.ArgumentList.Add(_f.StateRoot);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["PSC_OUT"] = outFile;
        psi.Environment["PSC_ERR"] = errFile;
        using var p = System.Diagnostics.Process.Start(psi)!;
        if (!p.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"pscrun {string.Join(' ', args)} did not finish");
        }

        try
        {
            return new PscrunResult(p.ExitCode, File.ReadAllText(outFile), File.ReadAllText(errFile));
        }
        finally
        {
            File.Delete(outFile);
            File.Delete(errFile);
        }
    }
}
