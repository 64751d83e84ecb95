using System.Text.Json.Nodes;
using PSContainers.Core.Containers;
using PSContainers.Core.Registry;

namespace PSContainers.Core.Tests.Registry;

public sealed class RegistryAuthFileTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string FilePath(string name = "auth.json") => Path.Combine(_dir.Path, "containers", name);

    [Fact]
    public void StoreWritesTheSharedFormatReadableOnlyByTheOwner()
    {
        var file = new RegistryAuthFile(FilePath());
        file.Store("127.0.0.1:5000", new RegistryCredential("alice", "s3cr:et"));
        var json = JsonNode.Parse(File.ReadAllText(file.Path))!;
        Assert.Equal("YWxpY2U6czNjcjpldA==", (string?)json["auths"]!["127.0.0.1:5000"]!["auth"]);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file.Path));
        var found = file.Find("127.0.0.1:5000");
        Assert.Equal(("alice", "s3cr:et"), (found!.UserName, found.Password));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(file.Path)!));
    }

    [Fact]
    public void StoreKeepsOtherEntriesAndFields()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath())!);
        File.WriteAllText(FilePath(), """{"auths":{"quay.io":{"auth":"dTpw"}},"credHelpers":{"gcr.io":"gcloud"}}""");
        var file = new RegistryAuthFile(FilePath());
        file.Store("localhost:5000", new RegistryCredential("u", "p"));
        var json = JsonNode.Parse(File.ReadAllText(file.Path))!;
        Assert.Equal("dTpw", (string?)json["auths"]!["quay.io"]!["auth"]);
        Assert.Equal("gcloud", (string?)json["credHelpers"]!["gcr.io"]);
        Assert.Equal(["quay.io", "localhost:5000"], file.Keys());
    }

    [Fact]
    public void TheMostSpecificRepositoryKeyWins()
    {
        var file = new RegistryAuthFile(FilePath());
        file.Store("reg.example", new RegistryCredential("host", "1"));
        file.Store("reg.example/team", new RegistryCredential("team", "2"));
        file.Store("reg.example/team/app", new RegistryCredential("app", "3"));
        Assert.Equal("app", file.Find("reg.example", "team/app")!.UserName);
        Assert.Equal("team", file.Find("reg.example", "team/other")!.UserName);
        Assert.Equal("host", file.Find("reg.example", "teamwork/x")!.UserName);
        Assert.Equal("host", file.Find("reg.example")!.UserName);
        Assert.Null(file.Find("other.example", "team/app"));
    }

    [Fact]
    public void DockersLegacyHubKeyAndFallbackFilesAreRead()
    {
        var dockerConfig = Path.Combine(_dir.Path, "docker", "config.json");
        Directory.CreateDirectory(Path.GetDirectoryName(dockerConfig)!);
        File.WriteAllText(dockerConfig, """{"auths":{"https://index.docker.io/v1/":{"auth":"aHViOnB3"}}}""");
        var file = new RegistryAuthFile(FilePath(), [dockerConfig]);
        var hub = file.Find("docker.io", "library/busybox");
        Assert.Equal(("hub", "pw", dockerConfig), (hub!.UserName, hub.Password, hub.Source));
        file.Store("docker.io", new RegistryCredential("mine", "x"));
        Assert.Equal("mine", file.Find("docker.io", "library/busybox")!.UserName);
    }

    [Fact]
    public void RemoveDeletesOnlyThatKey()
    {
        var file = new RegistryAuthFile(FilePath());
        file.Store("a.example", new RegistryCredential("a", "1"));
        file.Store("b.example", new RegistryCredential("b", "2"));
        Assert.True(file.Remove("a.example"));
        Assert.False(file.Remove("a.example"));
        Assert.Null(file.Find("a.example"));
        Assert.NotNull(file.Find("b.example"));
        Assert.False(new RegistryAuthFile(FilePath("none.json")).Remove("a.example"));
    }

    [Theory]
    [InlineData("127.0.0.1:5000", "127.0.0.1:5000")]
    [InlineData("https://index.docker.io/v1/", "docker.io")]
    [InlineData("docker.io/busybox", "docker.io/library/busybox")]
    [InlineData("reg.example/team/", "reg.example/team")]
    public void StoreKeysAreNormalized(string input, string key) => Assert.Equal(key, RegistryAuthFile.StoreKey(input));

    [Theory]
    [InlineData("bad host")]
    [InlineData("reg.example/app:v1")]
    [InlineData("busybox")]
    public void BadKeysAreRefused(string key)
    {
        var e = Assert.Throws<ContainerEngineException>(() => new RegistryAuthFile(FilePath()).Store(key, new RegistryCredential("u", "p")));
        Assert.Equal("InvalidArgument", e.ErrorId);
        Assert.False(File.Exists(FilePath()));
    }

    [Fact]
    public void ACorruptFileIsReportedByName()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath())!);
        File.WriteAllText(FilePath(), "{ not json");
        var e = Assert.Throws<ContainerEngineException>(() => new RegistryAuthFile(FilePath()).Find("x.example"));
        Assert.Equal("InvalidAuthFile", e.ErrorId);
        Assert.Contains(FilePath(), e.Message, StringComparison.Ordinal);
    }
}
