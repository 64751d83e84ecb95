using System.Text;
using System.Text.Json;
using PSContainers.Core.Containers;
using PSContainers.Core.Images;
using PSContainers.Core.Images.Oci;

namespace PSContainers.Core.Tests.Images;

public sealed class ManifestAndPlatformTests
{
    private const string Index = """
        {"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json","manifests":[
          {"mediaType":"application/vnd.docker.distribution.manifest.v2+json","digest":"sha256:1111111111111111111111111111111111111111111111111111111111111111","size":527,"platform":{"architecture":"arm","os":"linux","variant":"v6"}},
          {"mediaType":"application/vnd.docker.distribution.manifest.v2+json","digest":"sha256:2222222222222222222222222222222222222222222222222222222222222222","size":527,"platform":{"architecture":"arm","os":"linux","variant":"v7"}},
          {"mediaType":"application/vnd.docker.distribution.manifest.v2+json","digest":"sha256:3333333333333333333333333333333333333333333333333333333333333333","size":527,"platform":{"architecture":"amd64","os":"linux"}},
          {"mediaType":"application/vnd.docker.distribution.manifest.v2+json","digest":"sha256:4444444444444444444444444444444444444444444444444444444444444444","size":527,"platform":{"architecture":"arm64","os":"linux","variant":"v8"}},
          {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:5555555555555555555555555555555555555555555555555555555555555555","size":527,"platform":{"architecture":"unknown","os":"unknown"}},
          {"mediaType":"application/vnd.docker.distribution.manifest.v2+json","digest":"sha256:6666666666666666666666666666666666666666666666666666666666666666","size":527,"platform":{"architecture":"amd64","os":"windows","os.version":"10.0.17763.1"}}
        ]}
        """;

    [Theory]
    [InlineData("linux/amd64", '3')]
    [InlineData("linux/x86_64", '3')]
    [InlineData("linux/arm64", '4')]
    [InlineData("linux/aarch64", '4')]
    [InlineData("linux/arm/v7", '2')]
    [InlineData("linux/arm", '2')]
    [InlineData("linux/armhf", '2')]
    [InlineData("linux/arm/v6", '1')]
    [InlineData("windows/amd64", '6')]
    public void SelectsThePlatformsManifestFromAManifestList(string platform, char digit)
    {
        var index = JsonSerializer.Deserialize(Index, OciJsonContext.Default.OciIndex)!;
        var chosen = PlatformSpec.Parse(platform).Select(index.Manifests);
        Assert.Equal("sha256:" + new string(digit, 64), chosen!.Digest);
    }

    [Fact]
    public void DefaultsToLinuxOnThisMachinesArchitectureAndFindsNothingForOthers()
    {
        var index = JsonSerializer.Deserialize(Index, OciJsonContext.Default.OciIndex)!;
        Assert.Equal("linux/amd64", PlatformSpec.Default.ToString());
        Assert.Equal("sha256:" + new string('3', 64), PlatformSpec.Default.Select(index.Manifests)!.Digest);
        Assert.Null(PlatformSpec.Parse("linux/s390x").Select(index.Manifests));
        // arm/v5 cannot run v6 or v7 images.
        Assert.Null(PlatformSpec.Parse("linux/arm/v5").Select(index.Manifests));
        Assert.Throws<ContainerEngineException>(() => PlatformSpec.Parse("amd64"));
    }

    [Fact]
    public void ReadsDockerAndOciManifestsAndAConfigWithItsRunDefaults()
    {
        const string manifest = """
            {"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",
             "config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":1469,"digest":"sha256:c7c37e472d31c1685b48f7004fd6a64361c95965587a951692c5f298c6685998"},
             "layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":772788,"digest":"sha256:0c52b0b3c1e2c2c4b3c0d0e1f5b2b7e8a3c0d0e1f5b2b7e8a3c0d0e1f5b2b7e8"}]}
            """;
        var m = JsonSerializer.Deserialize(manifest, OciJsonContext.Default.OciManifest)!;
        Assert.True(MediaTypes.IsManifest(m.MediaType));
        Assert.True(MediaTypes.IsLayer(m.Layers[0].MediaType));
        Assert.Equal(772788, m.Layers[0].Size);

        const string config = """
            {"architecture":"amd64","os":"linux","created":"2023-05-19T20:19:25.123456789Z",
             "config":{"Env":["PATH=/bin","A=b"],"Cmd":["sh"],"Entrypoint":null,"WorkingDir":"/w","User":"1000:1000","StopSignal":"SIGQUIT",
                       "ExposedPorts":{"80/tcp":{}},"Labels":{"k":"v"}},
             "rootfs":{"type":"layers","diff_ids":["sha256:65014c70e84b6817fac42bb201ec5c1ea460a8da246cac0e481f5c9a9491eac0"]},
             "history":[{"created":"2023-05-19T20:19:24Z","created_by":"ADD file:abc in /"},{"created_by":"CMD [\"sh\"]","empty_layer":true}]}
            """;
        var c = JsonSerializer.Deserialize(config, OciJsonContext.Default.ImageConfig)!;
        Assert.Equal(["sh"], c.Config!.Cmd!);
        Assert.Null(c.Config.Entrypoint);
        Assert.Equal("/w", c.Config.WorkingDir);
        Assert.Contains("80/tcp", c.Config.ExposedPorts!.Keys);
        Assert.True(c.History![1].EmptyLayer);
        Assert.Equal(2023, c.Created!.Value.Year);
    }

    [Fact]
    public void AppliesImageDefaultsAsDockerRunDoes()
    {
        var image = new ImageConfig
        {
            Config = new ImageRunConfig
            {
                Env = ["PATH=/opt/bin:/bin", "A=image"], Entrypoint = ["/entry"], Cmd = ["default"], WorkingDir = "/app", User = "nobody",
                StopSignal = "SIGQUIT", Labels = new() { ["from"] = "image", ["both"] = "image" }, ExposedPorts = new() { ["8080/tcp"] = new EmptyObject() },
            },
        };
        var plain = new ContainerCreateRequest();
        ImageRunDefaults.Apply(plain, image);
        Assert.Equal(["/entry", "default"], plain.Command);
        Assert.Equal("/opt/bin:/bin", plain.Environment["PATH"]);
        Assert.Equal("/app", plain.WorkingDirectory);
        Assert.Equal("nobody", plain.User);
        Assert.Equal("SIGQUIT", plain.StopSignal);
        Assert.Equal(["8080/tcp"], plain.ExposedPorts!);

        var args = new ContainerCreateRequest { Command = ["x", "y"], Environment = new() { ["A"] = "mine" }, User = "0", WorkingDirectory = "/tmp", Labels = new() { ["both"] = "mine" } };
        ImageRunDefaults.Apply(args, image);
        Assert.Equal(["/entry", "x", "y"], args.Command);
        Assert.Equal("mine", args.Environment["A"]);
        Assert.Equal("0", args.User);
        Assert.Equal("/tmp", args.WorkingDirectory);
        Assert.Equal("mine", args.Labels["both"]);
        Assert.Equal("image", args.Labels["from"]);

        // --entrypoint drops the image's Cmd too; an empty one clears the entrypoint.
        var entry = new ContainerCreateRequest { Entrypoint = ["/bin/echo"] };
        ImageRunDefaults.Apply(entry, image);
        Assert.Equal(["/bin/echo"], entry.Command);
        var cleared = new ContainerCreateRequest { Entrypoint = [""], Command = ["ls"] };
        ImageRunDefaults.Apply(cleared, image);
        Assert.Equal(["ls"], cleared.Command);
    }

    [Fact]
    public void ChangesForImportParseAsDockerImportDoes()
    {
        var config = new ImageRunConfig();
        ImageChanges.Apply(config, ["CMD [\"/bin/sh\", \"-c\", \"echo hi\"]", "ENV A=1 B=\"two words\"", "ENV C three", "WORKDIR /srv", "EXPOSE 80 53/udp", "LABEL x=y", "USER 1000", "ENTRYPOINT run me", "STOPSIGNAL SIGINT"]);
        Assert.Equal(["/bin/sh", "-c", "echo hi"], config.Cmd!);
        Assert.Equal(["/bin/sh", "-c", "run me"], config.Entrypoint!);
        Assert.Equal(["A=1", "B=two words", "C=three"], config.Env!);
        Assert.Equal(["80/tcp", "53/udp"], config.ExposedPorts!.Keys.ToList());
        Assert.Equal("SIGINT", config.StopSignal);
        Assert.Throws<ContainerEngineException>(() => ImageChanges.Apply(config, ["RUN apt-get update"]));
        Assert.Equal(Encoding.ASCII.GetBytes("x"), Encoding.ASCII.GetBytes(config.Labels!.Keys.Single()));
    }
}
