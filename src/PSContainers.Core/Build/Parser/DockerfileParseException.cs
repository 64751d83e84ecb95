namespace PSContainers.Core.Build.Parser;

/// <summary>A Dockerfile (or .dockerignore) that cannot be parsed or expanded: names the file, the line and what is wrong.</summary>
public sealed class DockerfileParseException : Exception
{
    public DockerfileParseException(string file, int line, string reason, Exception? inner = null)
        : base(line > 0 ? $"{file}:{line}: {reason}" : $"{file}: {reason}", inner)
    {
        File = file;
        Line = line;
        Reason = reason;
    }

    public string File { get; }

    /// <summary>1-based; 0 when the problem is not on one line (an empty Dockerfile).</summary>
    public int Line { get; }

    /// <summary>What is wrong, without the file and line.</summary>
    public string Reason { get; }
}
