using PSContainers.Runtime.Health;
using Xunit;

namespace PSContainers.Core.Tests.Events;

/// <summary>docker's health rules: streaks, retries, the start period, the five-entry log, output truncation.</summary>
public class HealthStateTests
{
    private static readonly DateTimeOffset Start = new(2026, 5, 1, 10, 0, 0, TimeSpan.Zero);

    private static HealthLogEntry Result(int code, double secondsAfterStart, string output = "") =>
        new() { Start = Start.AddSeconds(secondsAfterStart), End = Start.AddSeconds(secondsAfterStart), ExitCode = code, Output = output };

    [Fact]
    public void A_success_makes_it_healthy_and_is_a_change()
    {
        var state = new HealthState();
        Assert.True(state.Record(Result(0, 1), new HealthConfig(), Start));
        Assert.Equal(HealthState.Healthy, state.Status);
        Assert.False(state.Record(Result(0, 2), new HealthConfig(), Start));
    }

    [Fact]
    public void Failures_turn_unhealthy_at_the_retries_and_a_success_ends_the_streak()
    {
        var config = new HealthConfig { Retries = 2 };
        var state = new HealthState();
        Assert.False(state.Record(Result(1, 1), config, Start));
        Assert.Equal(HealthState.Starting, state.Status);
        Assert.Equal(1, state.FailingStreak);
        Assert.True(state.Record(Result(1, 2), config, Start));
        Assert.Equal(HealthState.Unhealthy, state.Status);
        Assert.True(state.Record(Result(0, 3), config, Start));
        Assert.Equal(HealthState.Healthy, state.Status);
        Assert.Equal(0, state.FailingStreak);
    }

    [Fact]
    public void Failures_within_the_start_period_do_not_count_until_the_first_success()
    {
        var config = new HealthConfig { Retries = 1, StartPeriodNs = 10_000_000_000 };
        var state = new HealthState();
        state.Record(Result(1, 1), config, Start);
        state.Record(Result(1, 5), config, Start);
        Assert.Equal(HealthState.Starting, state.Status);
        Assert.Equal(0, state.FailingStreak);
        // After the period, a failure counts.
        state.Record(Result(1, 11), config, Start);
        Assert.Equal(HealthState.Unhealthy, state.Status);

        // Within the period but after a success: it counts (the container has started).
        var started = new HealthState();
        started.Record(Result(0, 1), config, Start);
        started.Record(Result(1, 2), config, Start);
        Assert.Equal(HealthState.Unhealthy, started.Status);
    }

    [Fact]
    public void The_log_keeps_the_last_five_and_output_is_cut_at_4096_bytes_on_a_character_boundary()
    {
        var state = new HealthState();
        for (var i = 0; i < 7; i++)
        {
            state.Record(Result(0, i, $"run {i}"), new HealthConfig(), Start);
        }

        Assert.Equal(["run 2", "run 3", "run 4", "run 5", "run 6"], state.Log.Select(l => l.Output));
        var cut = HealthState.Truncate(new string('a', 4095) + "é" + "tail");
        Assert.Equal(new string('a', 4095), cut);
        Assert.Equal(4096, HealthState.Truncate(new string('b', 5000)).Length);
    }

    [Fact]
    public void The_record_round_trips_through_its_json()
    {
        var state = new HealthState();
        state.Record(Result(1, 1, "no \"quote\"\n"), new HealthConfig(), Start);
        var back = HealthState.Parse(state.ToJson());
        Assert.Equal(state.Status, back.Status);
        Assert.Equal(1, back.FailingStreak);
        Assert.Equal("no \"quote\"\n", back.Log.Single().Output);
        Assert.Equal(Start.AddSeconds(1), back.Log.Single().End);
        Assert.Equal(1, back.Log.Single().ExitCode);
    }

    [Fact]
    public void The_config_fills_docker_defaults_and_runs_shell_tests_through_sh()
    {
        var config = HealthConfig.Parse(new HealthConfig { Test = ["CMD-SHELL", "test -f /ok"], TimeoutNs = 2_000_000_000 }.ToJson());
        Assert.Equal(["/bin/sh", "-c", "test -f /ok"], config.Argv());
        Assert.Equal(TimeSpan.FromSeconds(30), config.Interval);
        Assert.Equal(TimeSpan.FromSeconds(2), config.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(5), config.StartInterval);
        Assert.Equal(3, config.EffectiveRetries);
        Assert.Equal(["cat", "/ok"], new HealthConfig { Test = ["CMD", "cat", "/ok"] }.Argv());
        Assert.Throws<FormatException>(() => new HealthConfig { Test = ["CMD"] }.Argv());
    }
}
