using PSContainers.Runtime.Spec;

using Xunit;

namespace PSContainers.Runtime.Tests.Integration;

/// <summary>Bind mounts of host directories and files, read-only or not, with absolute or bundle-relative sources.</summary>
[Collection("pscrun")]
public sealed class BindMountTests : IClassFixture<PscrunFixture>
{
    private readonly PscrunFixture _f;

    public BindMountTests(PscrunFixture f)
    {
        _f = f;
    }

    [Fact]
    public void AReadOnlyBindMountIsReadableButRefusesWrites()
    {
        var source = Path.Combine(_f.WorkDir, "data-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(source);
        File.WriteAllText(Path.Combine(source, "hello.txt"), "from the host\n");

        var r = _f.Run(new[] { "sh", "-c", "cat /data/hello.txt; echo x > /data/new.txt" }, spec =>
            spec.Mounts!.Add(new Mount { Destination = "/data", Type = "bind", Source = source, Options = new List<string> { "bind", "ro" } }));

        Assert.Equal("from the host\n", r.Stdout);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("Read-only file system", r.Stderr);
        Assert.Equal(new[] { "hello.txt" }, Directory.GetFileSystemEntries(source).Select(Path.GetFileName));
    }

    [Fact]
    public void AWritableBindMountShowsTheContainersWritesOnTheHost()
    {
        var source = Path.Combine(_f.WorkDir, "data-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(source);

        var r = _f.Run(new[] { "sh", "-c", "echo from the container > /data/new.txt" }, spec =>
            spec.Mounts!.Add(new Mount { Destination = "/data", Type = "bind", Source = source, Options = new List<string> { "rbind", "rw" } }));

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("from the container\n", File.ReadAllText(Path.Combine(source, "new.txt")));
    }

    [Fact]
    public void AFileCanBeBindMountedOntoAPathThatDoesNotExistYet()
    {
        var source = Path.Combine(_f.WorkDir, "file-" + Guid.NewGuid().ToString("N")[..8]);
        File.WriteAllText(source, "single file\n");

        var r = _f.Run(new[] { "sh", "-c", "cat /etc/psc/injected.conf; test -f /etc/psc/injected.conf && echo regular" }, spec =>
            spec.Mounts!.Add(new Mount { Destination = "/etc/psc/injected.conf", Type = "bind", Source = source, Options = new List<string> { "bind", "ro" } }));

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("single file\nregular\n", r.Stdout);
    }

    [Fact]
    public void ARelativeBindSourceIsResolvedAgainstTheBundle()
    {
        var id = PscrunFixture.NewId();
        var bundle = _f.NewBundle(new[] { "cat", "/data/in-bundle.txt" }, spec =>
            spec.Mounts!.Add(new Mount { Destination = "/data", Type = "bind", Source = "shared", Options = new List<string> { "bind", "ro" } }));
        Directory.CreateDirectory(Path.Combine(bundle, "shared"));
        File.WriteAllText(Path.Combine(bundle, "shared", "in-bundle.txt"), "next to config.json\n");

        // The working directory of pscrun is not the bundle: only the bundle can make "shared" resolve.
        var r = _f.Pscrun("run", "--bundle", bundle, id);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("next to config.json\n", r.Stdout);
    }
}
