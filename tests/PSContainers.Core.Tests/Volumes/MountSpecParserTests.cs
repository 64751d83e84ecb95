using PSContainers.Core.Containers;
using PSContainers.Core.Volumes;

namespace PSContainers.Core.Tests.Volumes;

public sealed class MountSpecParserTests
{
    private const string Cwd = "/work/project";
    private const string Home = "/home/me";

    [Theory]
    [InlineData("/data", "volume", "", "/data", false)]
    [InlineData("data:/data", "volume", "data", "/data", false)]
    [InlineData("data:/data:ro", "volume", "data", "/data", true)]
    [InlineData("data:/data:rw", "volume", "data", "/data", false)]
    [InlineData("data:/data:ro,z", "volume", "data", "/data", true)]
    [InlineData("data:/data:Z", "volume", "data", "/data", false)]
    [InlineData("data:/data:nocopy", "volume", "data", "/data", false)]
    [InlineData("my.vol_1-x:/a/b/", "volume", "my.vol_1-x", "/a/b", false)]
    [InlineData("/srv/www:/usr/share/www", "bind", "/srv/www", "/usr/share/www", false)]
    [InlineData("/srv/www:/www:ro", "bind", "/srv/www", "/www", true)]
    [InlineData("/srv/www/:/www:ro,rslave", "bind", "/srv/www", "/www", true)]
    [InlineData("/srv/../etc:/x:cached", "bind", "/etc", "/x", false)]
    [InlineData("./site:/www", "bind", "/work/project/site", "/www", false)]
    [InlineData("../other:/o", "bind", "/work/other", "/o", false)]
    [InlineData(".:/src:ro", "bind", "/work/project", "/src", true)]
    [InlineData("~/notes:/notes", "bind", "/home/me/notes", "/notes", false)]
    [InlineData("data:/a/../b", "volume", "data", "/b", false)]
    public void VolumeSyntaxParsesAsDocker(string text, string type, string source, string target, bool readOnly)
    {
        var m = MountSpecParser.ParseVolume(text, Cwd, Home);
        Assert.Equal(type, m.Type);
        Assert.Equal(source, m.Source);
        Assert.Equal(target, m.Target);
        Assert.Equal(readOnly, m.ReadOnly);
    }

    [Fact]
    public void VolumeModeKeepsNocopyAndPropagationAndTheModeText()
    {
        var volume = MountSpecParser.ParseVolume("cache:/c:ro,nocopy");
        Assert.True(volume.NoCopy);
        Assert.Equal("ro,nocopy", volume.Mode);
        var bind = MountSpecParser.ParseVolume("/mnt:/mnt:rshared");
        Assert.Equal("rshared", bind.Propagation);
        Assert.False(bind.ReadOnly);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("/data:rw", "a mode needs a source")]
    [InlineData("a:/b:ro:extra", "Invalid volume specification")]
    [InlineData(":/data", "source before ':' is empty")]
    [InlineData("data:/d:rx", "unknown option \"rx\"")]
    [InlineData("data:/d:ro,rw", "may appear once")]
    [InlineData("data:/d:z,Z", "may appear once")]
    [InlineData("data:/d:U", "unknown option \"U\"")]
    [InlineData("data:/d:shared", "propagation (shared) applies to binds")]
    [InlineData("/srv:/d:nocopy", "nocopy applies to volumes")]
    [InlineData("data:relative", "mount path must be absolute")]
    [InlineData("data", "mount path must be absolute")]
    [InlineData("data:/", "destination can't be '/'")]
    [InlineData("/srv:/..", "destination can't be '/'")]
    [InlineData("d:/x", "invalid characters for a local volume name")]
    [InlineData("bad$name:/x", "invalid characters for a local volume name")]
    [InlineData("-dash:/x", "invalid characters for a local volume name")]
    public void BadVolumeSpecsAreRefusedWithDockersReason(string text, string message)
    {
        var e = Assert.Throws<ContainerEngineException>(() => MountSpecParser.ParseVolume(text, Cwd, Home));
        Assert.Equal("InvalidArgument", e.ErrorId);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ARelativeSourceWithoutACurrentDirectoryIsRefused()
    {
        var e = Assert.Throws<ContainerEngineException>(() => MountSpecParser.ParseVolume("./x:/x"));
        Assert.Contains("needs a current directory", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("type=bind,source=/srv,target=/srv", "bind", "/srv", "/srv", false)]
    [InlineData("type=bind,src=/srv,dst=/d,readonly", "bind", "/srv", "/d", true)]
    [InlineData("type=bind,src=/srv,destination=/d,ro=true", "bind", "/srv", "/d", true)]
    [InlineData("type=bind,src=/srv,target=/d,readonly=false", "bind", "/srv", "/d", false)]
    [InlineData("TYPE=bind,Source=./web,Target=/w", "bind", "/work/project/web", "/w", false)]
    [InlineData("type=volume,source=data,target=/data", "volume", "data", "/data", false)]
    [InlineData("source=data,target=/data", "volume", "data", "/data", false)]
    [InlineData("target=/anon", "volume", "", "/anon", false)]
    [InlineData("type=volume,target=/anon,volume-nocopy", "volume", "", "/anon", false)]
    [InlineData("type=tmpfs,target=/run", "tmpfs", "", "/run", false)]
    [InlineData("type=tmpfs,dst=/run,tmpfs-size=64m,tmpfs-mode=1770", "tmpfs", "", "/run", false)]
    [InlineData("type=bind,source=/srv,target=/srv,consistency=cached", "bind", "/srv", "/srv", false)]
    [InlineData("\"type=bind\",\"source=/a,b\",target=/ab", "bind", "/a,b", "/ab", false)]
    public void MountSyntaxParsesAsDocker(string text, string type, string source, string target, bool readOnly)
    {
        var m = MountSpecParser.ParseMount(text, Cwd, Home);
        Assert.Equal(type, m.Type);
        Assert.Equal(source, m.Source);
        Assert.Equal(target, m.Target);
        Assert.Equal(readOnly, m.ReadOnly);
    }

    [Fact]
    public void MountOptionsReachTheRequest()
    {
        var tmpfs = MountSpecParser.ParseMount("type=tmpfs,target=/t,tmpfs-size=1g,tmpfs-mode=700");
        Assert.Equal(["size=1073741824", "mode=700"], tmpfs.TmpfsOptions);

        var volume = MountSpecParser.ParseMount(
            "type=volume,source=vv,target=/v,volume-nocopy=true,volume-label=team=web,\"volume-opt=o=size=10m,uid=1000\",volume-opt=type=tmpfs,volume-opt=device=tmpfs,volume-driver=local");
        Assert.True(volume.NoCopy);
        Assert.Equal("web", volume.VolumeLabels["team"]);
        Assert.Equal("size=10m,uid=1000", volume.VolumeOptions["o"]);
        Assert.Equal("tmpfs", volume.VolumeOptions["type"]);

        var bind = MountSpecParser.ParseMount("type=bind,source=/srv,target=/srv,bind-propagation=RSLAVE,bind-nonrecursive");
        Assert.Equal("rslave", bind.Propagation);
        Assert.True(bind.NonRecursive);
        Assert.True(MountSpecParser.ParseMount("type=bind,source=/srv,target=/srv,bind-recursive=disabled").NonRecursive);

        var sub = MountSpecParser.ParseMount("type=volume,source=vv,target=/v,volume-subpath=a/b");
        Assert.Equal("a/b", sub.SubPath);
    }

    [Theory]
    [InlineData("type=bind,source=/srv", "target is required")]
    [InlineData("type=bind,target=/srv", "field Source must not be empty")]
    [InlineData("type=bind,source=srv,target=/srv", "mount path must be absolute")]
    [InlineData("type=tmpfs,source=x,target=/t", "field Source must not be specified")]
    [InlineData("type=npipe,source=x,target=/t", "Mount type \"npipe\"")]
    [InlineData("type=image,source=x,target=/t", "not supported")]
    [InlineData("type=bind,source=/a,target=/b,color=red", "Unexpected key 'color'")]
    [InlineData("type=bind,source=/a,target=/b,bogus", "Invalid field 'bogus'")]
    [InlineData("type=bind,source=/a,target=/b,readonly=maybe", "Invalid value for readonly")]
    [InlineData("type=bind,source=/a,target=/b,volume-nocopy", "Cannot mix 'volume-*' options with mount type 'bind'")]
    [InlineData("type=volume,target=/b,bind-propagation=shared", "Cannot mix 'bind-*' options with mount type 'volume'")]
    [InlineData("type=volume,target=/b,tmpfs-size=1m", "Cannot mix 'tmpfs-*' options with mount type 'volume'")]
    [InlineData("type=bind,source=/a,target=/b,bind-propagation=sideways", "Invalid bind-propagation")]
    [InlineData("type=bind,source=/a,target=/b,bind-recursive=readonly", "bind-recursive=readonly")]
    [InlineData("type=tmpfs,target=/t,tmpfs-size=lots", "Invalid value for tmpfs-size")]
    [InlineData("type=tmpfs,target=/t,tmpfs-mode=999", "Invalid value for tmpfs-mode")]
    [InlineData("type=volume,source=vv,target=/v,volume-driver=nfs", "Volume driver \"nfs\"")]
    [InlineData("type=volume,source=vv,target=/v,volume-subpath=../x", "Invalid volume-subpath")]
    [InlineData("type=volume,target=/v,volume-subpath=x", "needs a named volume")]
    [InlineData("type=volume,source=vv,target=/v,consistency=fast", "Invalid consistency")]
    [InlineData("type=volume,source=vv,target=/", "destination can't be '/'")]
    [InlineData("type=bind,source=/a\"b,target=/b", "bare \" in non-quoted-field")]
    [InlineData("\"type=bind,source=/a,target=/b", "extraneous or missing \" in quoted-field")]
    [InlineData("\"type=bind\"x,source=/a,target=/b", "extraneous or missing \" in quoted-field")]
    [InlineData("", "An empty -Mount value")]
    public void BadMountSpecsAreRefusedWithTheKeyNamed(string text, string message)
    {
        var e = Assert.Throws<ContainerEngineException>(() => MountSpecParser.ParseMount(text, Cwd, Home));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a,b,c", new[] { "a", "b", "c" })]
    [InlineData("\"a,b\",c", new[] { "a,b", "c" })]
    [InlineData("\"say \"\"hi\"\"\",x", new[] { "say \"hi\"", "x" })]
    [InlineData("a,,b", new[] { "a", "", "b" })]
    [InlineData("a,", new[] { "a", "" })]
    [InlineData("\"\"", new[] { "" })]
    public void CsvSplitsAsGoEncodingCsv(string text, string[] fields) =>
        Assert.Equal(fields, MountSpecParser.SplitCsv(text, "-Mount 'x'"));

    [Theory]
    [InlineData("/run", "/run", new string[0])]
    [InlineData("/run:size=64m", "/run", new[] { "size=67108864" })]
    [InlineData("/run:rw,exec,size=1k,mode=1777,uid=1000", "/run", new[] { "rw", "exec", "size=1024", "mode=1777", "uid=1000" })]
    [InlineData("/cache/:noexec,nosuid", "/cache", new[] { "noexec", "nosuid" })]
    public void TmpfsSyntaxParses(string text, string target, string[] options)
    {
        var m = MountSpecParser.ParseTmpfs(text);
        Assert.Equal(MountTypes.Tmpfs, m.Type);
        Assert.Equal(target, m.Target);
        Assert.Equal(options, m.TmpfsOptions);
    }

    [Theory]
    [InlineData("run", "mount path must be absolute")]
    [InlineData("/run:colour=blue", "Unknown tmpfs option \"colour=blue\"")]
    [InlineData("/run:size=big", "Invalid tmpfs size")]
    [InlineData("/:size=1m", "destination can't be '/'")]
    public void BadTmpfsSpecsAreRefused(string text, string message)
    {
        var e = Assert.Throws<ContainerEngineException>(() => MountSpecParser.ParseTmpfs(text));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("100", 100L)]
    [InlineData("1k", 1024L)]
    [InlineData("64m", 67108864L)]
    [InlineData("64MB", 67108864L)]
    [InlineData("1.5g", 1610612736L)]
    [InlineData("2GiB", 2147483648L)]
    [InlineData("1 k", 1024L)]
    [InlineData("x1", null)]
    [InlineData("-1", null)]
    [InlineData("1q", null)]
    public void SizesAreDockersRamInBytes(string text, long? bytes) => Assert.Equal(bytes, MountSpecParser.ParseSize(text));
}
