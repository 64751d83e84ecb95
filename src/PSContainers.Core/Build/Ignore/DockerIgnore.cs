namespace PSContainers.Core.Build.Ignore;

/// <summary>.dockerignore as Docker reads it: one pattern a line, # comments, blank lines skipped, each pattern cleaned, leading / dropped, ! for exceptions.</summary>
public static class DockerIgnore
{
    /// <summary>The patterns of a .dockerignore text, in order (moby's ignorefile.ReadAll).</summary>
    public static IReadOnlyList<string> ReadPatterns(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.StartsWith('\uFEFF'))
        {
            text = text[1..];
        }

        var patterns = new List<string>();
        foreach (var rawLine in text.Split('\n'))
        {
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
        }

        return patterns;
    }

    /// <summary>Which ignore file applies: "&lt;dockerfile name&gt;.dockerignore" next to the Dockerfile wins over the context's .dockerignore. Returns the candidates in the order to try.</summary>
    public static IReadOnlyList<string> CandidatePaths(string contextDirectory, string dockerfilePath) =>
        [dockerfilePath + ".dockerignore", Path.Combine(contextDirectory, ".dockerignore")];
}
