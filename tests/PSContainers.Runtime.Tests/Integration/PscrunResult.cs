namespace PSContainers.Runtime.Tests.Integration;

/// <summary>Exit code and output of one pscrun invocation.</summary>
public sealed record PscrunResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
}
