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
}
