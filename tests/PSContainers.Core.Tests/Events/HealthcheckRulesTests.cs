using PSContainers.Core.Containers;
using PSContainers.Core.Images.Oci;
using Xunit;

namespace PSContainers.Core.Tests.Events;

/// <summary>docker's merge of run and image health checks, and its validation messages.</summary>
public class HealthcheckRulesTests
{
    [Fact]
    public void The_run_overrides_the_image_field_by_field()
    {
        var image = new ImageHealthcheck { Test = ["CMD", "check"], Interval = 5_000_000_000, Retries = 7 };
        var merged = HealthcheckRules.Merge(new ImageHealthcheck { Interval = 1_000_000_000 }, image)!;
        Assert.Equal(["CMD", "check"], merged.Test);
        Assert.Equal(1_000_000_000, merged.Interval);
        Assert.Equal(7, merged.Retries);
        Assert.Null(HealthcheckRules.ToConfig(HealthcheckRules.Merge(new ImageHealthcheck { Test = ["NONE"] }, image)));
        Assert.Equal(["CMD", "check"], HealthcheckRules.ToConfig(HealthcheckRules.Merge(null, image))!.Test);
    }

    [Theory]
    [InlineData(500_000L, 0L, 0, "Interval in Healthcheck cannot be less than 1ms")]
    [InlineData(0L, -1L, 0, "Timeout in Healthcheck cannot be less than 1ms")]
    [InlineData(0L, 0L, -1, "Retries in Healthcheck cannot be negative")]
    public void Bad_values_are_refused_with_dockers_words(long interval, long timeout, int retries, string message)
    {
        var e = Assert.Throws<ContainerEngineException>(() => HealthcheckRules.Validate(new ImageHealthcheck
        {
            Test = ["CMD", "true"], Interval = interval, Timeout = timeout, Retries = retries,
        }));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Run_options_follow_the_cli()
    {
        var shell = HealthcheckRules.FromRunOptions("curl -f localhost", null, TimeSpan.FromSeconds(2), null, null, null, 4, none: false)!;
        Assert.Equal(["CMD-SHELL", "curl -f localhost"], shell.Test);
        Assert.Equal(2_000_000_000, shell.Interval);
        Assert.Equal(4, shell.Retries);
        Assert.Equal(["CMD", "cat", "/x"], HealthcheckRules.FromRunOptions(null, ["cat", "/x"], null, null, null, null, null, false)!.Test);
        Assert.Equal(["NONE"], HealthcheckRules.FromRunOptions(null, null, null, null, null, null, null, true)!.Test);
        Assert.Null(HealthcheckRules.FromRunOptions(null, null, null, null, null, null, null, false));
        Assert.Contains("conflicts", Assert.Throws<ContainerEngineException>(() =>
            HealthcheckRules.FromRunOptions("true", null, null, null, null, null, null, true)).Message);
        Assert.Equal("-HealthInterval cannot be negative", Assert.Throws<ContainerEngineException>(() =>
            HealthcheckRules.FromRunOptions("true", null, TimeSpan.FromSeconds(-1), null, null, null, null, false)).Message);
        Assert.Throws<ContainerEngineException>(() => HealthcheckRules.Validate(new ImageHealthcheck { Test = ["SHELL", "x"] }));
        Assert.Throws<ContainerEngineException>(() => HealthcheckRules.Validate(new ImageHealthcheck { Test = ["CMD-SHELL", " "] }));
    }
}
