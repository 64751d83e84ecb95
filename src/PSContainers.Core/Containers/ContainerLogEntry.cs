namespace PSContainers.Core.Containers;

/// <summary>One line a container wrote: when, to which stream (stdout or stderr), and the text without its newline.</summary>
public sealed record ContainerLogEntry(DateTimeOffset Time, string Stream, string Text)
{
    public override string ToString() => Text;
}
