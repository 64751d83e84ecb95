using System.Text.Json;
using PSContainers.Api;

namespace PSContainers.Api.Tests;

public sealed class ContainerCreateReaderTests
{
    private static Core.Containers.ContainerCreateRequest Read(string json, string? name = null)
    {
        using var doc = JsonDocument.Parse(json);
        return ContainerCreateReader.Read(doc.RootElement, name);
    }

    [Fact]
    public void A_docker_run_body_maps_to_the_engine_request()
    {
        var r = Read("""
            {"Image":"busybox","Cmd":["sh","-c","echo hi"],"Env":["A=1","B=x=y","UNSET"],"Tty":true,"OpenStdin":true,"Labels":{"k":"v"},
             "ExposedPorts":{"80/tcp":{}},"Volumes":{"/data":{}},"Domainname":"","MacAddress":"","Healthcheck":null,
             "HostConfig":{"Binds":["/srv:/srv:ro"],"PortBindings":{"80/tcp":[{"HostIp":"127.0.0.1","HostPort":"8080"}],"53/udp":[{"HostIp":"","HostPort":""}]},
               "NetworkMode":"default","Memory":33554432,"MemorySwap":33554432,"NanoCpus":1500000000,"RestartPolicy":{"Name":"on-failure","MaximumRetryCount":2},
               "CapAdd":["NET_ADMIN"],"CapDrop":["MKNOD"],"Privileged":false,"SecurityOpt":["no-new-privileges"],"Tmpfs":{"/run":"size=1m"},"Init":true,
               "AutoRemove":true,"LogConfig":{"Type":"json-file","Config":{}},"MemorySwappiness":null,"OomKillDisable":false,"Devices":[],"ConsoleSize":[24,80],
               "Mounts":[{"Type":"volume","Source":"vol","Target":"/v","ReadOnly":true,"VolumeOptions":{"NoCopy":true}}]},
             "NetworkingConfig":{"EndpointsConfig":{"default":{"Aliases":null}}}}
            """, "web");
        Assert.Equal("web", r.Name);
        Assert.Equal("busybox", r.Image);
        Assert.Equal(["sh", "-c", "echo hi"], r.Command);
        Assert.Equal("1", r.Environment["A"]);
        Assert.Equal("x=y", r.Environment["B"]);
        Assert.False(r.Environment.ContainsKey("UNSET"));
        Assert.True(r.Tty && r.OpenStdin && r.Init && r.AutoRemove);
        Assert.Equal(["/data", "/srv:/srv:ro"], r.Volumes);
        Assert.Equal(["type=volume,source=vol,target=/v,readonly,volume-nocopy"], r.Mounts);
        Assert.Equal(["/run:size=1m"], r.Tmpfs);
        Assert.Equal("", r.Network);
        Assert.Equal(["127.0.0.1:8080:80/tcp", "53/udp"], r.Networking!.Publish);
        Assert.Equal(["80/tcp"], r.ExposedPorts);
        Assert.Equal(33554432, r.Resources.Memory);
        Assert.Equal(1.5, r.Resources.Cpus);
        Assert.Equal("on-failure:2", r.Restart);
        Assert.Equal(["NET_ADMIN"], r.CapAdd);
        Assert.Equal((ushort)24, r.ConsoleRows);
        Assert.Equal((ushort)80, r.ConsoleColumns);
    }

    [Theory]
    [InlineData("""{"Image":"b","HostConfig":{"StorageOpt":{"size":"1G"}}}""", "HostConfig.StorageOpt is not supported")]
    [InlineData("""{"Image":"b","HostConfig":{"CgroupnsMode":"shared"}}""", "HostConfig.CgroupnsMode \"shared\" is not a mode")]
    [InlineData("""{"Image":"b","HostConfig":{"Isolation":"hyperv"}}""", "HostConfig.Isolation \"hyperv\" is not supported")]
    [InlineData("""{"Image":"b","Healthcheck":{"Test":["CMD","true"],"Interval":"2s"}}""", "Healthcheck.Interval must be a whole number")]
    [InlineData("""{"Image":"b","HostConfig":{"LogConfig":{"Type":"syslog"}}}""", "HostConfig.LogConfig.Type \"syslog\" is not supported")]
    [InlineData("""{"Image":"b","HostConfig":{"MemorySwappiness":10}}""", "HostConfig.MemorySwappiness is not supported")]
    [InlineData("""{"Image":"b","HostConfig":{"RestartPolicy":{"Name":"sometimes"}}}""", "invalid restart policy \"sometimes\"")]
    [InlineData("""{"Image":"b","HostConfig":{"CgroupParent":"/mine"}}""", "HostConfig.CgroupParent is not supported")]
    [InlineData("""{"Image":"b","HostConfig":{"Devices":[{"PathOnHost":"/dev/fuse","Colour":"red"}]}}""", "HostConfig.Devices[].Colour is not supported")]
    [InlineData("""{"Image":"b","HostConfig":{"Devices":[{"PathInContainer":"/dev/fuse"}]}}""", "HostConfig.Devices[].PathOnHost is required")]
    [InlineData("""{"Image":"b","HostConfig":{"DeviceRequests":[{"Driver":"nvidia","Count":-1}]}}""", "HostConfig.DeviceRequests is not supported")]
    [InlineData("""{"Cmd":["true"]}""", "Config.Image: an image is required")]
    public void Fields_it_cannot_honour_are_a_400_that_names_them(string json, string expected)
    {
        var e = Assert.Throws<ApiException>(() => Read(json));
        Assert.Equal(400, e.StatusCode);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Domain_annotations_namespaces_links_and_a_healthcheck_with_null_durations_are_read()
    {
        var r = Read("""
            {"Image":"b","Domainname":"example.org","Healthcheck":{"Test":["CMD","true"],"Interval":2000000000,"Timeout":null,"Retries":null},
             "HostConfig":{"Annotations":{"a":"b"},"OomKillDisable":true,"CgroupnsMode":"private","UsernsMode":"auto","ContainerIDFile":"/tmp/cid",
                           "Isolation":"default","Links":["web:site"]},
             "NetworkingConfig":{"EndpointsConfig":{"n":{"Links":["db"]}}}}
            """);
        Assert.Equal("example.org", r.Domainname);
        Assert.Equal("b", r.Annotations["a"]);
        Assert.True(r.OomKillDisable);
        Assert.Equal("private", r.CgroupNamespace);
        Assert.Equal("auto", r.UserNS);
        Assert.Equal(["web:site", "db"], r.Networking!.Links);
        Assert.Equal(2000000000, r.Healthcheck!.Interval);
        Assert.Equal(0, r.Healthcheck.Timeout);
        Assert.Equal(0, r.Healthcheck.Retries);
    }

    [Fact]
    public void Default_valued_fields_it_does_not_read_are_accepted()
    {
        var r = Read("""{"Image":"b","OnBuild":null,"Shell":[],"HostConfig":{"Sysctls":{},"OomScoreAdj":0,"Isolation":"","DeviceRequests":null,"BlkioWeightDevice":[]}}""");
        Assert.Equal("b", r.Image);
    }

    [Fact]
    public void Host_options_go_to_the_engine_as_the_cmdlets_take_them()
    {
        var r = Read("""
            {"Image":"b","HostConfig":{"Devices":[{"PathOnHost":"/dev/fuse","PathInContainer":"","CgroupPermissions":""},
             {"PathOnHost":"/dev/net/tun","PathInContainer":"/dev/tun","CgroupPermissions":"r"}],"DeviceCgroupRules":["c 10:200 rwm"],
             "Sysctls":{"net.ipv4.ip_forward":"1","kernel.shmmax":"1234"},"GroupAdd":["audio","1234"],"OomScoreAdj":-5}}
            """);
        Assert.Equal(["/dev/fuse:/dev/fuse:rwm", "/dev/net/tun:/dev/tun:r"], r.Devices);
        Assert.Equal(["c 10:200 rwm"], r.DeviceCgroupRules);
        Assert.Equal("1", r.Sysctls["net.ipv4.ip_forward"]);
        Assert.Equal("1234", r.Sysctls["kernel.shmmax"]);
        Assert.Equal(["audio", "1234"], r.GroupAdd);
        Assert.Equal(-5, r.OomScoreAdj);
        Assert.Null(Read("""{"Image":"b","HostConfig":{"OomScoreAdj":0}}""").OomScoreAdj);
    }

    [Fact]
    public void Namespace_modes_go_to_the_engine_and_empty_ones_mean_the_containers_own()
    {
        var r = Read("""{"Image":"b","HostConfig":{"PidMode":"host","IpcMode":"container:db","UTSMode":"host"}}""");
        Assert.Equal(("host", "container:db", "host"), (r.PidMode, r.IpcMode, r.UtsMode));
        var empty = Read("""{"Image":"b","HostConfig":{"PidMode":"","IpcMode":"","UTSMode":""}}""");
        Assert.Equal((null, null, null), (empty.PidMode, empty.IpcMode, empty.UtsMode));
    }

    [Fact]
    public void A_named_network_in_NetworkMode_and_EndpointsConfig_carries_its_aliases()
    {
        var r = Read("""{"Image":"b","HostConfig":{"NetworkMode":"appnet"},"NetworkingConfig":{"EndpointsConfig":{"appnet":{"Aliases":["db"],"IPAMConfig":{"IPv4Address":"10.89.0.5"}}}}}""");
        Assert.Equal("appnet", r.Network);
        var attachment = Assert.Single(r.Networking!.Attachments);
        Assert.Equal("appnet", attachment.Network);
        Assert.Equal(["db"], attachment.Aliases);
        Assert.Equal("10.89.0.5", attachment.IPAddress);
    }

    [Fact]
    public void A_healthcheck_goes_to_the_engine_and_unknown_healthcheck_fields_are_refused()
    {
        var r = Read("""{"Image":"b","Healthcheck":{"Test":["CMD-SHELL","true"],"Interval":1000000000,"Retries":2}}""");
        Assert.Equal(["CMD-SHELL", "true"], r.Healthcheck!.Test);
        Assert.Equal(1_000_000_000, r.Healthcheck.Interval);
        Assert.Equal(2, r.Healthcheck.Retries);
        var e = Assert.Throws<ApiException>(() => Read("""{"Image":"b","Healthcheck":{"Test":["NONE"],"Colour":"red"}}"""));
        Assert.Contains("Healthcheck.Colour is not supported", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, new byte[] { 0x10, 0x11 })]
    [InlineData("ctrl-a,x", new byte[] { 0x01, (byte)'x' })]
    [InlineData("ctrl-[", new byte[] { 27 })]
    public void Detach_keys_parse_as_docker_writes_them(string? text, byte[] keys) => Assert.Equal(keys, Hijack.ParseDetachKeys(text));

    [Fact]
    public void Bad_detach_keys_are_refused() => Assert.Throws<ApiException>(() => Hijack.ParseDetachKeys("ctrl-1"));
}
