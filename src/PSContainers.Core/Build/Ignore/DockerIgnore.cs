namespace PSContainers.Core.Build.Ignore;

/// <summary>.dockerignore as Docker reads it: one pattern a line, # comments, blank lines skipped, each pattern cleaned, leading / dropped, ! for exceptions.</summary>
public static class DockerIgnore
{
    /// <summary>The patterns of a .dockerignore text, in order.</summary>
    public static IReadOnlyList<string> ReadPatterns(string text) => throw new NotImplementedException();

    /// <summary>Which ignore file applies: "&lt;dockerfile name&gt;.dockerignore" next to the Dockerfile wins over the context's .dockerignore. Returns the candidates in the order to try.</summary>
    public static IReadOnlyList<string> CandidatePaths(string contextDirectory, string dockerfilePath) => throw new NotImplementedException();
}
