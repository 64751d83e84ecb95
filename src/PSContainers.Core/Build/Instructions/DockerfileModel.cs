using PSContainers.Core.Build.Parser;

namespace PSContainers.Core.Build.Instructions;

/// <summary>A parsed Dockerfile: its directives, the ARGs before the first FROM, and its stages.</summary>
public sealed class DockerfileModel
{
    public required string FileName { get; init; }

    /// <summary>The escape token from "# escape=" (\ by default).</summary>
    public char EscapeToken { get; init; } = '\\';

    /// <summary>The "# syntax=" directive, accepted and ignored (no frontend image is run).</summary>
    public string? Syntax { get; init; }

    /// <summary>ARGs before the first FROM: visible in FROM lines, and in a stage only where the stage declares them again.</summary>
    public required IReadOnlyList<ArgInstruction> GlobalArgs { get; init; }

    public required IReadOnlyList<Stage> Stages { get; init; }

    /// <summary>What BuildKit warns about but accepts: empty continuation lines, MAINTAINER; each names file and line.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Parses Dockerfile text; fileName is only for messages. Throws DockerfileParseException.</summary>
    public static DockerfileModel Parse(string text, string fileName = "Dockerfile") =>
        InstructionParser.Parse(DockerfileParser.Parse(text, fileName));

    /// <summary>The stage with this AS name (case-insensitive) or 0-based index, or null.</summary>
    public Stage? FindStage(string nameOrIndex) => StageResolver.Find(this, nameOrIndex);

    /// <summary>The stage a build with -Target target ends at: the named stage, or the last one when target is null or empty.</summary>
    public Stage TargetStage(string? target) => StageResolver.Target(this, target);

    /// <summary>The stages target needs, in Dockerfile order, itself last: its base stage (FROM an earlier stage), COPY --from and RUN --mount from=, transitively.
    /// Stage references are expanded with the global ARGs (build args override their defaults), as FROM lines are.</summary>
    public IReadOnlyList<Stage> StagesNeededFor(string? target, IReadOnlyDictionary<string, string>? buildArgs = null) =>
        StageResolver.Needed(this, target, buildArgs ?? new Dictionary<string, string>());
}
