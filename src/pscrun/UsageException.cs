namespace PSContainers.Pscrun;

/// <summary>The command line was wrong; pscrun prints the message and exits with status 1.</summary>
internal sealed class UsageException : Exception
{
    public UsageException(string message) : base(message)
    {
    }
}
