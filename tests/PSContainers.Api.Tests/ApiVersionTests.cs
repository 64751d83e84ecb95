using PSContainers.Api;

namespace PSContainers.Api.Tests;

public sealed class ApiVersionTests
{
    [Theory]
    [InlineData("/v1.47/containers/json", "1.47", "/containers/json")]
    [InlineData("/v1.24/_ping", "1.24", "/_ping")]
    [InlineData("/v1.41", "1.41", "/")]
    [InlineData("/containers/json", null, "/containers/json")]
    [InlineData("/volumes/v1.2", null, "/volumes/v1.2")]
    [InlineData("/version", null, "/version")]
    public void SplitPrefix_separates_the_version_from_the_path(string path, string? version, string rest)
    {
        var (v, p) = ApiVersion.SplitPrefix(path);
        Assert.Equal(version, v);
        Assert.Equal(rest, p);
    }

    [Fact]
    public void Check_accepts_the_range_and_refuses_outside_with_dockers_words()
    {
        Assert.Null(ApiVersion.Check("1.47"));
        Assert.Null(ApiVersion.Check("1.24"));
        Assert.Null(ApiVersion.Check("1.43"));
        Assert.Equal("client version 1.50 is too new. Maximum supported API version is 1.47", ApiVersion.Check("1.50"));
        Assert.Equal("client version 2.0 is too new. Maximum supported API version is 1.47", ApiVersion.Check("2.0"));
        Assert.Equal("client version 1.23 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version", ApiVersion.Check("1.23"));
        Assert.Contains("invalid API version \"1.x\"", ApiVersion.Check("1.x"), StringComparison.Ordinal);
    }

    [Fact]
    public void Minor_versions_compare_as_numbers_not_text()
    {
        // 1.9 is older than 1.24 although "1.9" sorts after "1.24" as text.
        Assert.NotNull(ApiVersion.Check("1.9"));
        Assert.True(ApiVersion.TryParse("1.100", out var v) && v == (1, 100));
        Assert.NotNull(ApiVersion.Check("1.100"));
    }
}
