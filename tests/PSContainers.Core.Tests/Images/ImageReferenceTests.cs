using PSContainers.Core.Containers;
using PSContainers.Core.Images;

namespace PSContainers.Core.Tests.Images;

public sealed class ImageReferenceTests
{
    private const string Sha = "sha256:7b3ccabffc97de872a30dfd234fd972a66d247c8cfc69b0550f276481852627c";

    [Theory]
    [InlineData("busybox", "docker.io/library/busybox:latest", "busybox:latest")]
    [InlineData("busybox:1.36", "docker.io/library/busybox:1.36", "busybox:1.36")]
    [InlineData("library/busybox", "docker.io/library/busybox:latest", "busybox:latest")]
    [InlineData("docker.io/busybox", "docker.io/library/busybox:latest", "busybox:latest")]
    [InlineData("index.docker.io/library/busybox", "docker.io/library/busybox:latest", "busybox:latest")]
    [InlineData("user/app", "docker.io/user/app:latest", "user/app:latest")]
    [InlineData("docker.io/library/a/b", "docker.io/library/a/b:latest", "library/a/b:latest")]
    [InlineData("localhost/app", "localhost/app:latest", "localhost/app:latest")]
    [InlineData("localhost:5000/app:v1", "localhost:5000/app:v1", "localhost:5000/app:v1")]
    [InlineData("127.0.0.1:5000/ns/app:v1", "127.0.0.1:5000/ns/app:v1", "127.0.0.1:5000/ns/app:v1")]
    [InlineData("quay.io/podman/stable", "quay.io/podman/stable:latest", "quay.io/podman/stable:latest")]
    [InlineData("[::1]:5000/app", "[::1]:5000/app:latest", "[::1]:5000/app:latest")]
    [InlineData("Registry/app", "Registry/app:latest", "Registry/app:latest")]
    [InlineData("localhost:5000", "docker.io/library/localhost:5000", "localhost:5000")]
    [InlineData("a/b-c__d/e--f_g.h:T_1.x-y", "docker.io/a/b-c__d/e--f_g.h:T_1.x-y", "a/b-c__d/e--f_g.h:T_1.x-y")]
    public void NormalizesAsDockerDoes(string input, string normalized, string familiar)
    {
        var reference = ImageReference.Parse(input);
        Assert.Equal(normalized, reference.ToString());
        Assert.Equal(familiar, reference.FamiliarName);
    }

    [Fact]
    public void HostPortRepositoryTagAndDigestAreAllKept()
    {
        var reference = ImageReference.Parse($"registry.example:5000/team/app:v2@{Sha}");
        Assert.Equal("registry.example:5000", reference.Domain);
        Assert.Equal("team/app", reference.Path);
        Assert.Equal("v2", reference.Tag);
        Assert.Equal(Sha, reference.Digest);
        Assert.Equal("registry.example:5000/team/app", reference.Repository);
        Assert.False(reference.IsShortName);
        Assert.Equal($"registry.example:5000/team/app:v2@{Sha}", reference.ToString());
    }

    [Fact]
    public void ADigestOnlyReferenceGetsNoLatestTag()
    {
        var reference = ImageReference.Parse($"busybox@{Sha}");
        Assert.Null(reference.Tag);
        Assert.Equal(Sha, reference.Digest);
        Assert.Equal($"busybox@{Sha}", reference.FamiliarName);
    }

    [Fact]
    public void ShortNamesAreMarkedAndDoNotChangeEquality()
    {
        var shortName = ImageReference.Parse("busybox");
        var full = ImageReference.Parse("docker.io/library/busybox:latest");
        Assert.True(shortName.IsShortName);
        Assert.False(full.IsShortName);
        Assert.Equal(full, shortName);
        Assert.Equal(full.GetHashCode(), shortName.GetHashCode());
    }

    [Fact]
    public void Sha512DigestsAreAccepted()
    {
        var digest = "sha512:" + new string('a', 128);
        Assert.Equal(digest, ImageReference.Parse("localhost/x@" + digest).Digest);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("BusyBox", "lower-case")]
    [InlineData("docker.io/Library/busybox", "lower-case")]
    [InlineData("busybox:", "tag")]
    [InlineData("busybox:-x", "tag")]
    [InlineData("busybox:.x", "tag")]
    [InlineData("busybox@sha256:abc", "64 lower-case hexadecimal")]
    [InlineData("busybox@md5:d41d8cd98f00b204e9800998ecf8427e", "not supported")]
    [InlineData("busybox@sha256", "algorithm:hex")]
    [InlineData("bad host:5000/app", "white space")]
    [InlineData("localhost:50a0/app", "invalid port")]
    [InlineData("-bad.example/app", "host name")]
    [InlineData("localhost/app/", "empty path component")]
    [InlineData("localhost//app", "empty path component")]
    [InlineData("localhost/", "no repository name")]
    [InlineData("a..b", "separated by")]
    [InlineData("app_", "separated by")]
    [InlineData("[zz]:5000/app", "IPv6")]
    [InlineData("7b3ccabffc97de872a30dfd234fd972a66d247c8cfc69b0550f276481852627c", "image id")]
    public void InvalidReferencesFailWithAClearMessage(string input, string expected)
    {
        var e = Assert.Throws<ContainerEngineException>(() => ImageReference.Parse(input));
        Assert.Equal("InvalidReference", e.ErrorId);
        Assert.Equal(ContainerErrorKind.InvalidArgument, e.Kind);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.False(ImageReference.TryParse(input, out _, out var error));
        Assert.Equal(e.Message, error);
    }

    [Fact]
    public void ATooLongNameIsRefused()
    {
        var e = Assert.Throws<ContainerEngineException>(() => ImageReference.Parse("localhost/" + new string('a', 250)));
        Assert.Contains("255", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ATagLongerThan128IsRefusedAnd128IsNot()
    {
        Assert.Equal(128, ImageReference.Parse("a:" + new string('t', 128)).Tag!.Length);
        Assert.Throws<ContainerEngineException>(() => ImageReference.Parse("a:" + new string('t', 129)));
    }

    [Fact]
    public void WithTagDropsTheDigestAndWithDigestKeepsTheTag()
    {
        var reference = ImageReference.Parse($"localhost:5000/app:v1@{Sha}");
        Assert.Equal("localhost:5000/app:v2", reference.WithTag("v2").ToString());
        Assert.Equal($"localhost:5000/app:v1@{Sha}", ImageReference.Parse("localhost:5000/app:v1").WithDigest(Sha).ToString());
        Assert.Throws<ContainerEngineException>(() => reference.WithTag("bad tag"));
        Assert.Throws<ContainerEngineException>(() => reference.WithDigest("sha256:zz"));
    }
}
