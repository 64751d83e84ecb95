namespace PSContainers.Core.Build.Instructions;

/// <summary>ADD [--chown] [--chmod] [--link] [--exclude] [--checksum] SRC... DEST: like COPY, plus URLs and local archives (--keep-git-dir is refused).</summary>
public sealed record AddInstruction : FileCopyInstruction
{
    public override string Keyword => "ADD";

    /// <summary>--checksum=sha256:... for a URL source; unexpanded.</summary>
    public string? Checksum { get; init; }
}
