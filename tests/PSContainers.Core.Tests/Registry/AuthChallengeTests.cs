using PSContainers.Core.Registry;

namespace PSContainers.Core.Tests.Registry;

public sealed class AuthChallengeTests
{
    [Fact]
    public void ReadsDockerHubsBearerChallenge()
    {
        var challenge = Assert.Single(AuthChallenge.Parse(
            "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:library/busybox:pull,push\""));
        Assert.True(challenge.IsBearer);
        Assert.Equal("https://auth.docker.io/token", challenge["realm"]);
        Assert.Equal("registry.docker.io", challenge["service"]);
        Assert.Equal("repository:library/busybox:pull,push", challenge["scope"]);
    }

    [Fact]
    public void ReadsTheDistributionRegistrysBasicChallenge()
    {
        var challenge = Assert.Single(AuthChallenge.Parse("Basic realm=\"Registry Realm\""));
        Assert.True(challenge.IsBasic);
        Assert.Equal("Registry Realm", challenge["REALM"]);
    }

    [Fact]
    public void SeveralChallengesInOneHeaderAreSplit()
    {
        var challenges = AuthChallenge.Parse(
            "Bearer realm=\"https://a.example/token\", error=\"insufficient_scope\" , Basic realm=\"x\", Negotiate");
        Assert.Equal(["Bearer", "Basic", "Negotiate"], challenges.Select(c => c.Scheme));
        Assert.Equal("insufficient_scope", challenges[0]["error"]);
        Assert.Equal("x", challenges[1]["realm"]);
        Assert.Empty(challenges[2].Parameters);
    }

    [Fact]
    public void QuotedValuesKeepCommasAndEscapesAndTokensNeedNoQuotes()
    {
        var challenge = Assert.Single(AuthChallenge.Parse("bearer realm=http://127.0.0.1:5001/token,scope=\"a:b:pull,push\",note=\"say \\\"hi\\\"\""));
        Assert.True(challenge.IsBearer);
        Assert.Equal("http://127.0.0.1:5001/token", challenge["realm"]);
        Assert.Equal("a:b:pull,push", challenge["scope"]);
        Assert.Equal("say \"hi\"", challenge["note"]);
    }

    [Fact]
    public void Token68IsKeptWhole()
    {
        var challenge = Assert.Single(AuthChallenge.Parse("Negotiate YIIB3gYGKwYBBQUCoIIB0j=="));
        Assert.Equal("YIIB3gYGKwYBBQUCoIIB0j==", challenge[""]);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(",,,")]
    public void NothingGivesNoChallenges(string? header) => Assert.Empty(AuthChallenge.Parse(header));

    [Fact]
    public void AnUnterminatedQuoteKeepsWhatCameBefore()
    {
        var challenges = AuthChallenge.Parse("Bearer realm=\"https://a/token\",service=\"unterminated");
        var challenge = Assert.Single(challenges);
        Assert.Equal("https://a/token", challenge["realm"]);
        Assert.Null(challenge["service"]);
    }
}
