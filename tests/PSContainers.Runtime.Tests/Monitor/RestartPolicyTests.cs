using PSContainers.Runtime.Monitor;

using Xunit;

namespace PSContainers.Runtime.Tests.Monitor;

/// <summary>--restart values parse as docker's do and decide restarts the same way.</summary>
public sealed class RestartPolicyTests
{
    [Theory]
    [InlineData("no", 1, 0, false)]
    [InlineData("on-failure", 1, 100, true)]
    [InlineData("on-failure", 0, 0, false)]
    [InlineData("on-failure:2", 1, 1, true)]
    [InlineData("on-failure:2", 1, 2, false)]
    [InlineData("on-failure:0", 1, 100, true)]
    [InlineData("always", 0, 50, true)]
    [InlineData("unless-stopped", 0, 50, true)]
    public void DecidesLikeDocker(string policy, int exitCode, int restarts, bool expected)
    {
        Assert.Equal(expected, RestartPolicy.Parse(policy).ShouldRestart(exitCode, restarts, stopRequested: false));
    }

    [Theory]
    [InlineData("always")]
    [InlineData("on-failure")]
    public void AStopRequestWins(string policy)
    {
        Assert.False(RestartPolicy.Parse(policy).ShouldRestart(1, 0, stopRequested: true));
    }

    [Theory]
    [InlineData("sometimes")]
    [InlineData("on-failure:")]
    [InlineData("on-failure:-1")]
    [InlineData("on-failure:x")]
    public void RejectsWhatDockerRejects(string policy)
    {
        Assert.Throws<ArgumentException>(() => RestartPolicy.Parse(policy));
    }

    [Fact]
    public void OverlayTakesManyLowersAndNeedsFourParts()
    {
        var o = OverlayMount.Parse("/l1:/l2,/u,/w,/m");
        Assert.Equal(new[] { "/l1", "/l2" }, o.Lowers);
        Assert.Equal("lowerdir=/l1:/l2,upperdir=/u,workdir=/w", o.Data);
        Assert.Equal("/m", o.Merged);
        Assert.Throws<ArgumentException>(() => OverlayMount.Parse("/l1,/u,/m"));
    }
}
