using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using PSContainers.Api;
using PSContainers.Api.Build;
using PSContainers.Core.Build;

namespace PSContainers.Api.Tests;

public class BuildQueryTests
{
    private static IQueryCollection Query(string text) => new QueryCollection(QueryHelpers.ParseQuery(text));

    [Fact]
    public void TheDockerCliClassicBuildQueryBecomesARequest()
    {
        var (request, quiet) = BuildQuery.Parse(Query(
            "?t=app%3A1&t=app%3Alatest&dockerfile=build%2FDockerfile&buildargs=%7B%22V%22%3A%221.2%22%7D&labels=%7B%22team%22%3A%22x%22%7D&nocache=1&pull=1&target=final&networkmode=host&platform=linux%2Famd64&ulimits=%5B%5D&cachefrom=%5B%5D&version=1"));
        Assert.False(quiet);
        Assert.Equal(["app:1", "app:latest"], request.Tags);
        Assert.Equal("build/Dockerfile", request.DockerfilePath);
        Assert.Equal("1.2", request.BuildArgs["V"]);
        Assert.Equal("x", request.Labels["team"]);
        Assert.True(request.NoCache);
        Assert.True(request.Pull);
        Assert.Equal("final", request.Target);
        Assert.Equal("host", request.Network);
        Assert.Equal("linux/amd64", request.Platform);
    }

    [Fact]
    public void DockerPyBooleansAndBridgeNetworkAreUnderstood()
    {
        var (request, quiet) = BuildQuery.Parse(Query("?t=web&q=False&nocache=True&rm=True&forcerm=False&pull=False&networkmode=bridge"));
        Assert.False(quiet);
        Assert.True(request.NoCache);
        Assert.False(request.Pull);
        Assert.Equal("default", request.Network);
    }

    [Theory]
    [InlineData("?memory=10485760", "memory")]
    [InlineData("?cpuquota=50000", "cpuquota")]
    [InlineData("?shmsize=1000", "shmsize")]
    [InlineData("?squash=1", "squash")]
    [InlineData("?extrahosts=a%3A1.2.3.4", "extrahosts")]
    [InlineData("?remote=https%3A%2F%2Fexample.com%2Fctx.tar", "remote")]
    [InlineData("?rm=0", "rm=0")]
    [InlineData("?version=2", "version=2")]
    [InlineData("?ulimits=%5B%7B%22Name%22%3A%22nofile%22%7D%5D", "ulimits")]
    [InlineData("?cachefrom=%5B%22x%22%5D", "cachefrom")]
    [InlineData("?isolation=hyperv", "isolation")]
    [InlineData("?buildargs=%7B%22A%22%3Anull%7D", "A")]
    [InlineData("?buildargs=notjson", "buildargs")]
    public void OptionsTheBuilderCannotHonourAreRefusedByName(string query, string named)
    {
        var e = Assert.Throws<ApiException>(() => BuildQuery.Parse(Query(query)));
        Assert.Equal(400, e.StatusCode);
        Assert.Contains(named, e.Message);
    }

    [Fact]
    public void ZeroResourceValuesAreTheDefaultAndPass()
    {
        var (request, _) = BuildQuery.Parse(Query("?memory=0&cpushares=0&isolation=default"));
        Assert.Empty(request.Tags);
    }

    [Theory]
    [InlineData("STEP 2/5: RUN make", "Step 2/5 : RUN make\n")]
    [InlineData("[1/2] STEP 1/3: FROM busybox AS b", "[1/2] Step 1/3 : FROM busybox AS b\n")]
    [InlineData("--> Using cache 0123456789ab", " ---> Using cache\n")]
    [InlineData("--> 0123456789ab", " ---> 0123456789ab\n")]
    [InlineData("Pulling busybox", "Pulling busybox\n")]
    public void BuilderLinesReadAsTheClassicBuilders(string text, string expected) =>
        Assert.Equal(expected, BuildOutputFormat.Line(new BuildOutputLine("s", text, "builder")));

    [Fact]
    public void RunOutputAndWarningsPassAsText()
    {
        Assert.Equal("hello\n", BuildOutputFormat.Line(new BuildOutputLine("STEP 2/2: RUN echo hello", "hello", "stdout")));
        Assert.Equal("[WARNING]: careful\n", BuildOutputFormat.Line(new BuildOutputLine("", "careful", BuildOutputLine.WarningStream)));
    }

    [Fact]
    public void TheClosingLinesAreWhatComposeParses()
    {
        var lines = BuildOutputFormat.Success("sha256:0123456789abcdef0123", ["web:1", "web:latest"]).ToList();
        Assert.Equal(["Successfully built 0123456789ab\n", "Successfully tagged web:1\n", "Successfully tagged web:latest\n"], lines);
        Assert.Matches(@"Successfully built ([0-9a-f]+)", lines[0]);
    }
}
