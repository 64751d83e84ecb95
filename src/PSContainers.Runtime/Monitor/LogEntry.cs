namespace PSContainers.Runtime.Monitor;

/// <summary>One line of SDIR/container.log: when, which stream, and the text without its newline.</summary>
public sealed class LogEntry
{
    public string Time { get; set; } = "";

    public string Stream { get; set; } = "";

    public string Text { get; set; } = "";
}
