namespace PSContainers.Core.Build.Parser;

/// <summary>Dockerfile text to nodes: directives, comments, continuations, heredocs. Pure: reads only the text it is given.</summary>
public static class DockerfileParser
{
    public static DockerfileAst Parse(string text, string fileName = "Dockerfile") => throw new NotImplementedException();
}
