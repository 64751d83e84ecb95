using PSContainers.Core.Containers;
using PSContainers.Core.Images;
using PSContainers.Core.Registry;
using PSContainers.Core.State;

namespace PSContainers.Core.Tests.Registry;

public sealed class RegistriesConfigTests
{
    private const string PodmanStyle = """
        # as podman's registries.conf v2 writes it
        unqualified-search-registries = ["registry.example:5000", "docker.io"]
        short-name-mode = "enforcing"

        [[registry]]
        prefix = "docker.io"
        location = "docker.io"
        mirror-by-digest-only = false

        [[registry.mirror]]
        location = "mirror.local:5001"
        insecure = true

        [[registry.mirror]]
        location = "digests.local/hub"
        pull-from-mirror = "digest-only"

        [[registry]]
        location = "registry.example:5000"
        insecure = true

        [[registry]]
        prefix = "registry.example:5000/team/special"
        location = "other.example/moved"

        [[registry]]
        prefix = "*.blocked.example"
        blocked = true

        [aliases]
        "app" = "registry.example:5000/team/app"
        """;

    private static RegistriesConfig Config() => RegistriesConfig.Parse(PodmanStyle, "test.conf");

    [Fact]
    public void ReadsSearchRegistriesEntriesMirrorsAndAliases()
    {
        var config = Config();
        Assert.Equal(["registry.example:5000", "docker.io"], config.UnqualifiedSearchRegistries);
        Assert.Equal(4, config.Registries.Count);
        var hub = config.Registries[0];
        Assert.Equal(2, hub.Mirrors.Count);
        Assert.True(hub.Mirrors[0].Insecure);
        Assert.Equal("digest-only", hub.Mirrors[1].PullFromMirror);
        Assert.Equal("registry.example:5000", config.Registries[1].Prefix);
        Assert.Equal("registry.example:5000/team/app", config.Aliases["app"]);
        Assert.Contains(config.Warnings, w => w.Contains("short-name-mode", StringComparison.Ordinal));
    }

    [Fact]
    public void ShortNamesTrySearchRegistriesInOrderAndAliasesWin()
    {
        var config = Config();
        Assert.Equal(
            ["registry.example:5000/busybox:1.36", "docker.io/library/busybox:1.36"],
            config.ResolveShortName(ImageReference.Parse("busybox:1.36")).Select(r => r.ToString()));
        Assert.Equal(["registry.example:5000/team/app:v1"], config.ResolveShortName(ImageReference.Parse("app:v1")).Select(r => r.ToString()));
        Assert.Equal(["quay.io/x/y:latest"], config.ResolveShortName(ImageReference.Parse("quay.io/x/y")).Select(r => r.ToString()));
        Assert.Equal(["docker.io/library/busybox:latest"], RegistriesConfig.Empty.ResolveShortName(ImageReference.Parse("busybox")).Select(r => r.ToString()));
    }

    [Fact]
    public void MirrorsComeBeforeTheRegistryAndDigestOnlyMirrorsOnlyForDigests()
    {
        var config = Config();
        var byTag = config.PullSources(ImageReference.Parse("busybox"));
        Assert.Equal(
            ["mirror.local:5001/library/busybox:latest", "docker.io/library/busybox:latest"],
            byTag.Select(s => s.Reference.ToString()));
        Assert.Equal([true, false], byTag.Select(s => s.Insecure));
        Assert.Equal([true, false], byTag.Select(s => s.IsMirror));

        var digest = "sha256:" + new string('1', 64);
        var byDigest = config.PullSources(ImageReference.Parse("busybox@" + digest));
        Assert.Equal(
            [$"mirror.local:5001/library/busybox@{digest}", $"digests.local/hub/library/busybox@{digest}", $"docker.io/library/busybox@{digest}"],
            byDigest.Select(s => s.Reference.ToString()));
    }

    [Fact]
    public void TheLongestPrefixWinsAndRewritesTheLocation()
    {
        var config = Config();
        var special = Assert.Single(config.PullSources(ImageReference.Parse("registry.example:5000/team/special/x:1")));
        Assert.Equal("other.example/moved/x:1", special.Reference.ToString());
        Assert.False(special.Insecure);
        var plain = Assert.Single(config.PullSources(ImageReference.Parse("registry.example:5000/team/specialist:1")));
        Assert.Equal("registry.example:5000/team/specialist:1", plain.Reference.ToString());
        Assert.True(plain.Insecure);
        Assert.True(config.IsInsecure("registry.example:5000"));
        Assert.False(config.IsInsecure("registry.example"));
    }

    [Fact]
    public void BlockedRegistriesRefusePullsAndPushes()
    {
        var config = Config();
        var e = Assert.Throws<ContainerEngineException>(() => config.PullSources(ImageReference.Parse("a.blocked.example/x")));
        Assert.Equal("RegistryBlocked", e.ErrorId);
        Assert.Throws<ContainerEngineException>(() => config.PushTarget(ImageReference.Parse("b.blocked.example:443/x")));
    }

    [Theory]
    [InlineData("localhost:5000", true)]
    [InlineData("localhost", true)]
    [InlineData("127.0.0.1:41234", true)]
    [InlineData("127.8.9.10", true)]
    [InlineData("[::1]:5000", true)]
    [InlineData("10.0.0.1:5000", false)]
    [InlineData("docker.io", false)]
    public void LoopbackRegistriesAreInsecureWithoutBeingListed(string domain, bool insecure)
    {
        Assert.Equal(insecure, RegistriesConfig.Empty.IsInsecure(domain));
    }

    [Fact]
    public void V1ListsBecomeEntries()
    {
        var config = RegistriesConfig.Parse("""
            [registries.search]
            registries = ["quay.io"]
            [registries.insecure]
            registries = ["lab.local:5000"]
            [registries.block]
            registries = ["evil.example"]
            """);
        Assert.Equal(["quay.io"], config.UnqualifiedSearchRegistries);
        Assert.True(config.IsInsecure("lab.local:5000"));
        Assert.Throws<ContainerEngineException>(() => config.PullSources(ImageReference.Parse("evil.example/x")));
    }

    [Theory]
    [InlineData("unqualified-search-registries = [", "not valid TOML")]
    [InlineData("unqualified-search-registries = \"docker.io\"", "array of strings")]
    [InlineData("unqualified-search-registries = [\"a/b\"]", "host[:port]")]
    [InlineData("[[registry]]\ninsecure = true", "location or a prefix")]
    [InlineData("[[registry]]\nprefix = \"a.example\"", "no location")]
    [InlineData("[[registry]]\nlocation = \"a.example\"\ninsecure = \"yes\"", "true or false")]
    [InlineData("[[registry]]\nlocation = \"a.example\"\n[[registry]]\nlocation = \"a.example\"", "more than one")]
    [InlineData("[[registry]]\nlocation = \"Bad Host\"", "host[:port]")]
    [InlineData("[[registry]]\nlocation = \"a.example\"\n[[registry.mirror]]\ninsecure = true", "no location")]
    [InlineData("[[registry]]\nlocation = \"a.example\"\n[[registry.mirror]]\nlocation = \"m.example\"\npull-from-mirror = \"some\"", "pull-from-mirror")]
    [InlineData("unqualified-search-registries = [\"quay.io\"]\n[registries.search]\nregistries = [\"quay.io\"]", "mixes")]
    [InlineData("[aliases]\n\"x\" = \"busybox\"", "fully qualified")]
    public void InvalidFilesFailNamingTheFileAndTheProblem(string text, string expected)
    {
        var e = Assert.Throws<ContainerEngineException>(() => RegistriesConfig.Parse(text, "/etc/x.conf"));
        Assert.Equal("InvalidRegistriesConfig", e.ErrorId);
        Assert.Contains("/etc/x.conf", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingFileIsEmptyAndTheEnvironmentVariableNamesTheFile()
    {
        using var dir = new TempDirectory();
        Assert.Same(RegistriesConfig.Empty, RegistriesConfig.Load(Path.Combine(dir.Path, "none.conf")));
        var paths = new EnginePaths(dir.Path, Path.Combine(dir.Path, "run"));
        var saved = Environment.GetEnvironmentVariable(RegistriesConfig.EnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(RegistriesConfig.EnvironmentVariable, null);
            Assert.Equal(Path.Combine(dir.Path, "registries.conf"), RegistriesConfig.DefaultPath(paths));
            Environment.SetEnvironmentVariable(RegistriesConfig.EnvironmentVariable, "/etc/containers/registries.conf");
            Assert.Equal("/etc/containers/registries.conf", RegistriesConfig.DefaultPath(paths));
        }
        finally
        {
            Environment.SetEnvironmentVariable(RegistriesConfig.EnvironmentVariable, saved);
        }
    }

    [Fact]
    public void TheMachinesOwnPodmanFileParses()
    {
        // The Debian podman package's file is mostly comments; it must not be refused.
        const string path = "/etc/containers/registries.conf";
        Assert.True(File.Exists(path), $"{path} comes with the podman package this project installs.");
        var config = RegistriesConfig.Load(path);
        Assert.Equal(path, config.Source);
    }
}
