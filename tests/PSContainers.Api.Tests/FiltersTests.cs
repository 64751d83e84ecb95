using PSContainers.Api;
using PSContainers.Core.Containers;

namespace PSContainers.Api.Tests;

public sealed class FiltersTests
{
    private static ContainerInfo Container(string name, ContainerStatus status, int? exit = null, Dictionary<string, string>? labels = null) => new()
    {
        Id = "abcdef0123456789" + name.PadRight(48, '0'),
        Name = name,
        Status = status,
        ExitCode = exit,
        Image = "busybox",
        ImageId = "sha256:feedface00",
        Labels = labels ?? [],
    };

    [Fact]
    public void Both_filter_encodings_parse()
    {
        var list = ApiQuery.Filters("""{"status":["running","exited"],"label":["a=b"]}""");
        Assert.Equal(["running", "exited"], list["status"]);
        var map = ApiQuery.Filters("""{"status":{"running":true,"exited":false}}""");
        Assert.Equal(["running"], map["status"]);
        Assert.Empty(ApiQuery.Filters(null));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("""{"status":[1]}""")]
    public void Malformed_filters_are_a_400(string json) =>
        Assert.Equal(400, Assert.Throws<ApiException>(() => ApiQuery.Filters(json)).StatusCode);

    [Fact]
    public void Unknown_filter_names_and_statuses_are_refused_by_name()
    {
        Assert.Equal("invalid filter 'colour'", Assert.Throws<ApiException>(() => ContainerFilters.Parse("""{"colour":["red"]}""")).Message);
        Assert.Equal("invalid filter 'status=sleeping'", Assert.Throws<ApiException>(() => ContainerFilters.Parse("""{"status":["sleeping"]}""")).Message);
    }

    [Fact]
    public void Container_filters_match_as_docker_ps_does()
    {
        var web = Container("web", ContainerStatus.Running, labels: new() { ["tier"] = "front" });
        var job = Container("job", ContainerStatus.Exited, 3);
        Assert.True(ContainerFilters.Parse("""{"status":["running"]}""").Matches(web));
        Assert.False(ContainerFilters.Parse("""{"status":["running"]}""").Matches(job));
        Assert.True(ContainerFilters.Parse("""{"name":["^/we"]}""").Matches(web));
        Assert.False(ContainerFilters.Parse("""{"name":["^/we"]}""").Matches(job));
        Assert.True(ContainerFilters.Parse("""{"label":["tier"]}""").Matches(web));
        Assert.True(ContainerFilters.Parse("""{"label":["tier=front"]}""").Matches(web));
        Assert.False(ContainerFilters.Parse("""{"label":["tier=back"]}""").Matches(web));
        Assert.True(ContainerFilters.Parse("""{"exited":["3"]}""").Matches(job));
        Assert.False(ContainerFilters.Parse("""{"exited":["0"]}""").Matches(job));
        Assert.False(ContainerFilters.Parse("""{"exited":["3"]}""").Matches(web));
        Assert.True(ContainerFilters.Parse("""{"ancestor":["busybox:latest"]}""").Matches(web));
        Assert.True(ContainerFilters.Parse("""{"ancestor":["feedface"]}""").Matches(web));
        Assert.False(ContainerFilters.Parse("""{"ancestor":["alpine"]}""").Matches(web));
        Assert.True(ContainerFilters.Parse("""{"id":["abcdef"]}""").Matches(web));
        Assert.True(ContainerFilters.Parse("""{"status":["exited"]}""").ImpliesAll);
        Assert.False(ContainerFilters.Parse("""{"name":["x"]}""").ImpliesAll);
    }

    [Fact]
    public void Before_since_health_ports_volumes_and_tasks_filter_as_docker_ps_does()
    {
        var t0 = DateTimeOffset.UnixEpoch.AddDays(20000);
        var first = new ContainerInfo { Id = "aa01" + new string('0', 60), Name = "first", Status = ContainerStatus.Exited, ExitCode = 0, Created = t0 };
        var web = new ContainerInfo
        {
            Id = "bb02" + new string('0', 60),
            Name = "web",
            Status = ContainerStatus.Running,
            Created = t0.AddMinutes(1),
            Ports = [new PSContainers.Core.Network.ContainerPortMapping("", 8080, 80, "tcp")],
            Health = new PSContainers.Runtime.Health.HealthState { Status = "healthy" },
            Config = new ContainerCreateRequest
            {
                ExposedPorts = ["443/tcp", "53/udp"],
                MountPoints = [new PSContainers.Core.Volumes.ContainerMount { Type = "volume", Name = "data", Destination = "/data" }],
            },
        };
        var last = new ContainerInfo { Id = "cc03" + new string('0', 60), Name = "last", Status = ContainerStatus.Created, Created = t0.AddMinutes(2) };
        var all = new List<ContainerInfo> { first, web, last };
        ContainerFilters Bound(string json) => ContainerFilters.Parse(json).Bind(all);

        Assert.Equal(["first"], all.Where(Bound("""{"before":["web"]}""").Matches).Select(c => c.Name));
        Assert.Equal(["last"], all.Where(Bound("""{"since":["web"]}""").Matches).Select(c => c.Name));
        Assert.Equal(["web"], all.Where(Bound("""{"since":["first"],"before":["last"]}""").Matches).Select(c => c.Name));
        Assert.Equal(404, Assert.Throws<ApiException>(() => Bound("""{"before":["nosuch"]}""")).StatusCode);
        Assert.Equal(["web"], all.Where(Bound("""{"health":["healthy"]}""").Matches).Select(c => c.Name));
        Assert.Equal(["first", "last"], all.Where(Bound("""{"health":["none"]}""").Matches).Select(c => c.Name));
        Assert.True(Bound("""{"publish":["8080"]}""").Matches(web));
        Assert.True(Bound("""{"publish":["8000-8090/tcp"]}""").Matches(web));
        Assert.False(Bound("""{"publish":["8080/udp"]}""").Matches(web));
        Assert.True(Bound("""{"expose":["80"]}""").Matches(web));
        Assert.True(Bound("""{"expose":["53/udp"]}""").Matches(web));
        Assert.False(Bound("""{"expose":["53"]}""").Matches(web));
        Assert.True(Bound("""{"volume":["data"]}""").Matches(web));
        Assert.True(Bound("""{"volume":["/data"]}""").Matches(web));
        Assert.False(Bound("""{"volume":["data"]}""").Matches(first));
        Assert.True(Bound("""{"is-task":["false"]}""").Matches(web));
        Assert.False(Bound("""{"is-task":["true"]}""").Matches(web));
        Assert.Equal(400, Assert.Throws<ApiException>(() => ContainerFilters.Parse("""{"publish":["http"]}""")).StatusCode);
        Assert.Equal(400, Assert.Throws<ApiException>(() => ContainerFilters.Parse("""{"health":["sick"]}""")).StatusCode);
        Assert.Equal(400, Assert.Throws<ApiException>(() => ContainerFilters.Parse("""{"isolation":["hyperv"]}""")).StatusCode);
    }
}
