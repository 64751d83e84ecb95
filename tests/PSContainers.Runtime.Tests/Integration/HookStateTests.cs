using PSContainers.Runtime.Spec;

using Xunit;

namespace PSContainers.Runtime.Tests.Integration;

/// <summary>The state each hook reads on stdin, and what a failing poststart or poststop hook does to the rest.</summary>
[Collection("pscrun")]
public sealed class HookStateTests : IClassFixture<PscrunFixture>
{
    private readonly PscrunFixture _f;

    public HookStateTests(PscrunFixture f)
    {
        _f = f;
    }

    private static Hook Record(string phase, string log) =>
        new() { Path = "/bin/sh", Args = ["sh", "-c", $"echo {phase} $(cat) >> {log}"] };

    private static Hook Fail(int status) => new() { Path = "/bin/sh", Args = ["sh", "-c", $"echo failing on purpose >&2; exit {status}"] };

    [Fact]
    public void EachHookSeesTheStatusTheSpecNamesForItsPhase()
    {
        var id = PscrunFixture.NewId();
        var log = Path.Combine(_f.WorkDir, id + ".states");
        var bundle = _f.NewBundle(["true"], spec => spec.Hooks = new Hooks
        {
            Prestart = [Record("prestart", log)],
            CreateRuntime = [Record("createRuntime", log)],
            CreateContainer = [Record("createContainer", log)],
            Poststart = [Record("poststart", log)],
            Poststop = [Record("poststop", log)],
        });

        var r = _f.Pscrun("run", "--bundle", bundle, id);

        Assert.True(r.ExitCode == 0, r.ToString());
        var statuses = File.ReadAllLines(log).ToDictionary(l => l.Split(' ')[0], l => StatusOf(l[(l.IndexOf(' ') + 1)..]));
        Assert.Equal("created", statuses["prestart"]);
        Assert.Equal("created", statuses["createRuntime"]);
        Assert.Equal("created", statuses["createContainer"]);
        Assert.Equal("running", statuses["poststart"]);
        Assert.Equal("stopped", statuses["poststop"]);
    }

    [Fact]
    public void AFailingPoststartOrPoststopHookIsAWarningAndTheNextHooksStillRun()
    {
        var id = PscrunFixture.NewId();
        var log = Path.Combine(_f.WorkDir, id + ".after");
        var bundle = _f.NewBundle(["sh", "-c", "echo ran"], spec => spec.Hooks = new Hooks
        {
            Poststart = [Fail(3), Record("poststart-after", log)],
            Poststop = [Fail(4), Record("poststop-after", log)],
        });

        var r = _f.Pscrun("run", "--bundle", bundle, id);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("ran\n", r.Stdout);
        Assert.Equal(["poststart-after", "poststop-after"], File.ReadAllLines(log).Select(l => l.Split(' ')[0]));
        Assert.Contains("poststart hook /bin/sh exited with status 3", r.Stderr);
        Assert.Contains("poststop hook /bin/sh exited with status 4", r.Stderr);
        Assert.False(Directory.Exists(Path.Combine(_f.StateRoot, id)));
    }

    private static string StatusOf(string stateJson)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(stateJson);
        return doc.RootElement.GetProperty("status").GetString()!;
    }
}
