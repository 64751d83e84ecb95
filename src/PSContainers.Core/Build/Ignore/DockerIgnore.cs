using PSContainers.Core.Build.Parser;

namespace PSContainers.Core.Build.Ignore;

/// <summary>.dockerignore as Docker reads it: one pattern a line, # comments, blank lines skipped, each pattern cleaned, leading / dropped, ! for exceptions.</summary>
public static class DockerIgnore
{
    /// <summary>A matcher for a .dockerignore text; a bad pattern throws DockerfileParseException naming the file and its line.</summary>
    public static IgnoreMatcher Parse(string text, string fileName = ".dockerignore")
    {
        var patterns = ReadPatterns(text, out var lines);
        try
        {
            return new IgnoreMatcher(patterns);
        }
        catch (DockerfileParseException ex)
        {
            // Find the line: the first pattern that fails on its own.
            for (var i = 0; i < patterns.Count; i++)
            {
                try
                {
                    _ = new IgnoreMatcher([patterns[i]]);
                }
                catch (DockerfileParseException)
                {
                    throw new DockerfileParseException(fileName, lines[i], ex.Reason, ex);
                }
            }

            throw new DockerfileParseException(fileName, 0, ex.Reason, ex);
        }
    }

    /// <summary>The patterns of a .dockerignore text, in order (moby's ignorefile.ReadAll).</summary>
    public static IReadOnlyList<string> ReadPatterns(string text) => ReadPatterns(text, out _);

    private static IReadOnlyList<string> ReadPatterns(string text, out List<int> lineNumbers)
    {
        lineNumbers = [];
        ArgumentNullException.ThrowIfNull(text);
        if (text.StartsWith('\uFEFF'))
        {
            text = text[1..];
        }

        var patterns = new List<string>();
        var number = 0;
        foreach (var rawLine in text.Split('\n'))
        {
            number++;
            var line = rawLine.TrimEnd('\r');

            // Only a # in the first column starts a comment, as in moby.
            if (line.StartsWith('#'))
            {
                continue;
            }

            var pattern = line.Trim();
            if (pattern.Length == 0)
            {
                continue;
            }

            var invert = pattern[0] == '!';
            if (invert)
            {
                pattern = pattern[1..].Trim();
            }

            if (pattern.Length > 0)
            {
                pattern = IgnorePattern.Clean(pattern);
                if (pattern.Length > 1 && pattern[0] == '/')
                {
                    pattern = pattern[1..];
                }
            }

            patterns.Add(invert ? "!" + pattern : pattern);
            lineNumbers.Add(number);
        }

        return patterns;
    }

    /// <summary>Which ignore file applies: "&lt;dockerfile name&gt;.dockerignore" next to the Dockerfile wins over the context's .dockerignore. Returns the candidates in the order to try.</summary>
    public static IReadOnlyList<string> CandidatePaths(string contextDirectory, string dockerfilePath) =>
        [dockerfilePath + ".dockerignore", Path.Combine(contextDirectory, ".dockerignore")];
}
