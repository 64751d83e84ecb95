using PSContainers.Api;
using PSContainers.Api.Images;

namespace PSContainers.Api.Tests;

public class DockerFiltersTests
{
    [Fact]
    public void BothJsonFormsGiveTheSameValues()
    {
        var lists = DockerFilters.Parse("""{"label":["a=1","b"],"dangling":["true"]}""", "label", "dangling");
        var maps = DockerFilters.Parse("""{"label":{"a=1":true,"b":true},"dangling":{"true":true}}""", "label", "dangling");
        Assert.Equal(["a=1", "b"], lists.Get("label"));
        Assert.Equal(lists.Get("label"), maps.Get("label"));
        Assert.True(lists.GetBool("dangling"));
        Assert.True(maps.GetBool("dangling"));
    }

    [Fact]
    public void AnUnknownFilterIsRefusedWithDockersWording()
    {
        var e = Assert.Throws<ApiException>(() => DockerFilters.Parse("""{"colour":["red"]}""", "label"));
        Assert.Equal(400, e.StatusCode);
        Assert.Equal("invalid filter 'colour'", e.Message);
    }

    [Fact]
    public void ABooleanFilterTakesTrueOrFalseOnly()
    {
        Assert.False(DockerFilters.Parse("""{"dangling":["0"]}""", "dangling").GetBool("dangling"));
        Assert.Null(DockerFilters.Parse(null, "dangling").GetBool("dangling"));
        Assert.Throws<ApiException>(() => DockerFilters.Parse("""{"dangling":["maybe"]}""", "dangling").GetBool("dangling"));
    }

    [Fact]
    public void LabelsMatchByKeyOrByKeyAndValue()
    {
        var filters = DockerFilters.Parse("""{"label":["tier","env=prod"]}""", "label");
        Assert.True(filters.MatchesLabels(new Dictionary<string, string> { ["tier"] = "web", ["env"] = "prod" }));
        Assert.False(filters.MatchesLabels(new Dictionary<string, string> { ["tier"] = "web", ["env"] = "dev" }));
        Assert.False(filters.MatchesLabels(new Dictionary<string, string> { ["env"] = "prod" }));
        Assert.True(DockerFilters.Parse(null, "label").MatchesLabels(null));
    }

    [Theory]
    [InlineData("busybox", "busybox:latest", true)]
    [InlineData("busybox:latest", "busybox:latest", true)]
    [InlineData("busybox:1*", "busybox:1.36", true)]
    [InlineData("busybox:1*", "busybox:latest", false)]
    [InlineData("busy*", "busybox:latest", true)]
    [InlineData("*", "localhost:5000/app:1", false)]
    [InlineData("localhost:5000/*", "localhost:5000/app:1", true)]
    [InlineData("app", "localhost:5000/app:1", false)]
    public void ReferenceFilterMatchesDockersGlobs(string pattern, string name, bool matches) =>
        Assert.Equal(matches, ImageListFilter.MatchesReference(pattern, name));

    [Fact]
    public void UntilTakesUnixSecondsOrRfc3339AndRefusesDurations()
    {
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000000), ImageListFilter.ParseTime("1700000000"));
        Assert.Equal(new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero), ImageListFilter.ParseTime("2024-01-02T03:04:05Z"));
        Assert.Contains("durations", Assert.Throws<ApiException>(() => ImageListFilter.ParseTime("10m")).Message);
    }
}
