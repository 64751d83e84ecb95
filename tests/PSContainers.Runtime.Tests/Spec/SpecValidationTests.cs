using System.Text.Json.Nodes;
using PSContainers.Runtime.Spec;
using Xunit;

namespace PSContainers.Runtime.Tests.Spec;

public class SpecValidationTests
{
    // Each case breaks one thing in an otherwise valid config and names a word the message must contain.
    public static TheoryData<string, string> Broken => new()
    {
        { """{"root":{"path":"rootfs"}}""", "ociVersion is missing" },
        { """{"ociVersion":"2.0.0","root":{"path":"rootfs"}}""", "\"2.0.0\"" },
        { """{"ociVersion":"1.4.0","root":{"path":"rootfs"}}""", "1.0.x to 1.3.x" },
        { """{"ociVersion":"0.9.0","root":{"path":"rootfs"}}""", "\"0.9.0\"" },
        { """{"ociVersion":"1.2.0"}""", "root.path" },
        { """{"ociVersion":"1.2.0","root":{"path":""}}""", "root.path" },
        { """{"ociVersion":"1.2.0","root":{"path":"r"},"process":{"cwd":"/"}}""", "process.args" },
        { """{"ociVersion":"1.2.0","root":{"path":"r"},"process":{"args":[],"cwd":"/"}}""", "process.args" },
        { """{"ociVersion":"1.2.0","root":{"path":"r"},"process":{"args":["sh"],"cwd":"srv"}}""", "process.cwd" },
        { """{"ociVersion":"1.2.0","root":{"path":"r"},"linux":{"namespaces":[{"type":"pid"},{"type":"net"}]}}""", "unknown namespace type \"net\"" },
        { """{"ociVersion":"1.2.0","root":{"path":"r"},"linux":{"namespaces":[{"type":"pid"},{"type":"pid"}]}}""", "more than once" },
        { """{"ociVersion":"1.2.0","root":{"path":"r"},"linux":{"namespaces":[{"type":"network","path":"netns/x"}]}}""", "not absolute" },
        { """{"ociVersion":"1.2.0","root":{"path":"r"},"mounts":[{"destination":"proc","type":"proc"}]}""", "mounts[0].destination" },
        { """{"ociVersion":"1.2.0","root":{"path":"r"},"linux":{"namespaces":[{"type":"user"}]}}""", "uidMappings" },
        { """{"ociVersion":"1.2.0","root":{"path":"r"},"linux":{"namespaces":[{"type":"user"}],"uidMappings":[{"containerID":0,"hostID":1000,"size":1}]}}""", "gidMappings" },
        { """{"ociVersion":"1.2.0","root":{"path":"r"},"linux":{"uidMappings":[{"containerID":0,"hostID":1000,"size":1}],"gidMappings":[{"containerID":0,"hostID":1000,"size":1}]}}""", "no \"user\" entry" },
        { """{"ociVersion":"1.2.0","root":{"path":"r"},"process":{"args":["sh"],"cwd":"/","user":{"uid":"root","gid":0}}}""", "$.process.user.uid" },
        { """{"ociVersion":"1.2.0","root":{"path":null}}""", "$.root.path" },
        { """{"ociVersion":"1.2.0","root":{"path":"r"}""", "not a valid OCI config" },
        { "null", "null" },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public void Parse_RejectsWithActionableMessage(string json, string expectedInMessage)
    {
        var e = Assert.Throws<SpecException>(() => SpecLoader.Parse(json));

        Assert.Contains(expectedInMessage, e.Message);
    }

    [Theory]
    [InlineData("1.0.0")]
    [InlineData("1.0.2-dev")]
    [InlineData("1.1.0")]
    [InlineData("1.2.0")]
    [InlineData("1.2.1+dev")]
    [InlineData("1.3.0")]
    [InlineData("1.3.1-rc.1")]
    public void Parse_AcceptsSupportedVersions(string version)
    {
        var spec = SpecLoader.Parse("{\"ociVersion\":\"" + version + "\",\"root\":{\"path\":\"rootfs\"}}");

        Assert.Equal(version, spec.OciVersion);
    }

    [Fact]
    public void UserNamespace_WithPath_NeedsNoMappings()
    {
        var spec = SpecLoader.Parse("""{"ociVersion":"1.2.0","root":{"path":"r"},"linux":{"namespaces":[{"type":"user","path":"/proc/1/ns/user"}]}}""");

        Assert.Equal("/proc/1/ns/user", spec.Linux!.Namespaces![0].Path);
    }

    [Fact]
    public void Load_MakesRootAbsoluteAgainstBundle()
    {
        var bundle = Directory.CreateTempSubdirectory("psc-spec-");
        try
        {
            File.WriteAllText(Path.Combine(bundle.FullName, "config.json"), SpecSamples.RuncSpec);

            var spec = SpecLoader.Load(bundle.FullName);

            Assert.Equal(Path.Combine(bundle.FullName, "rootfs"), spec.Root!.Path);
        }
        finally
        {
            bundle.Delete(recursive: true);
        }
    }

    [Fact]
    public void Load_KeepsAbsoluteRoot()
    {
        var bundle = Directory.CreateTempSubdirectory("psc-spec-");
        try
        {
            var node = JsonNode.Parse(SpecSamples.RuncSpec)!;
            node["root"]!["path"] = "/srv/rootfs";
            File.WriteAllText(Path.Combine(bundle.FullName, "config.json"), node.ToJsonString());

            Assert.Equal("/srv/rootfs", SpecLoader.Load(bundle.FullName).Root!.Path);
        }
        finally
        {
            bundle.Delete(recursive: true);
        }
    }

    [Fact]
    public void Load_MissingConfig_SaysWhichFile()
    {
        var bundle = Directory.CreateTempSubdirectory("psc-spec-");
        try
        {
            var e = Assert.Throws<SpecException>(() => SpecLoader.Load(bundle.FullName));

            Assert.Contains(Path.Combine(bundle.FullName, "config.json"), e.Message);
        }
        finally
        {
            bundle.Delete(recursive: true);
        }
    }
}
