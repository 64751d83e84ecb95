namespace PSContainers.Core.Build.Instructions;

/// <summary>COPY [--from=stage|image] [--chown] [--chmod] [--link] [--exclude] SRC... DEST (--parents is refused).</summary>
public sealed record CopyInstruction : FileCopyInstruction
{
    public override string Keyword => "COPY";

    /// <summary>A stage name or index, or an image reference; unexpanded; null for the context.</summary>
    public string? From { get; init; }
}
