using System.Runtime.CompilerServices;
using PSContainers.Core.Build.Ignore;
using PSContainers.Core.Build.Parser;

namespace PSContainers.Core.Tests.Build;

public sealed class DockerIgnoreTests
{
    public static TheoryData<int, string, string, bool> MatchRows() => Table("ignore-table.txt");

    public static TheoryData<int, string, string, bool> WalkRows() => Table("ignore-walk-table.txt");

    [Theory]
    [MemberData(nameof(MatchRows))]
    public void MatchesAsMobyPatternMatcherDoes(int line, string patterns, string path, bool excluded)
    {
        var matcher = new IgnoreMatcher(DockerIgnore.ReadPatterns(patterns.Replace(' ', '\n')));
        Assert.True(excluded == matcher.IsExcluded(path), $"line {line}: [{patterns}] on {path} should be {(excluded ? "excluded" : "included")}");
    }

    [Theory]
    [MemberData(nameof(WalkRows))]
    public void TellsWhetherAnExcludedTreeMustBeWalked(int line, string patterns, string directory, bool mayInclude)
    {
        var matcher = new IgnoreMatcher(DockerIgnore.ReadPatterns(patterns.Replace(' ', '\n')));
        Assert.True(matcher.IsExcluded(directory), $"line {line}: {directory} should be excluded");
        Assert.True(mayInclude == matcher.MayIncludeUnder(directory), $"line {line}: MayIncludeUnder({directory}) should be {mayInclude}");
    }

    [Fact]
    public void ReadsLinesAsMobyDoes()
    {
        var text = "\uFEFF# comment\n\n  *.tmp  \r\n/abs/path\n!  /keep/me/\n ./a/../b//c\n  # not a comment here\n!\n";
        Assert.Equal(["*.tmp", "abs/path", "!keep/me", "b/c", "# not a comment here", "!"], DockerIgnore.ReadPatterns(text));
    }

    [Fact]
    public void ALoneExclamationMarkIsAnError()
    {
        var error = Assert.Throws<DockerfileParseException>(() => new IgnoreMatcher(["a", "!"]));
        Assert.Contains("illegal exclusion pattern: \"!\"", error.Message);
    }

    [Fact]
    public void ABadCharacterClassIsAnErrorThatNamesThePattern()
    {
        var error = Assert.Throws<DockerfileParseException>(() => new IgnoreMatcher(["[z-a]x"]));
        Assert.Contains("[z-a]x", error.Message);
    }

    [Fact]
    public void ParseNamesTheFileAndLineOfABadPattern()
    {
        var error = Assert.Throws<DockerfileParseException>(() => DockerIgnore.Parse("# ignore\nnode_modules\n\n[z-a]\n", "app.Dockerfile.dockerignore"));
        Assert.Equal(("app.Dockerfile.dockerignore", 4), (error.File, error.Line));
        Assert.Contains("[z-a]", error.Reason);
        var lone = Assert.Throws<DockerfileParseException>(() => DockerIgnore.Parse("a\n  !  \n"));
        Assert.Equal((".dockerignore", 2), (lone.File, lone.Line));
        Assert.True(DockerIgnore.Parse("*.log\n!keep.log\n").IsExcluded("x.log"));
        Assert.False(DockerIgnore.Parse("*.log\n!keep.log\n").IsExcluded("keep.log"));
    }

    [Fact]
    public void TheDockerfilesOwnIgnoreFileComesFirst()
    {
        Assert.Equal(["/ctx/build/app.Dockerfile.dockerignore", "/ctx/.dockerignore"], DockerIgnore.CandidatePaths("/ctx", "/ctx/build/app.Dockerfile"));
    }

    [Fact]
    public void KnowsWhetherThereAreExceptions()
    {
        Assert.False(new IgnoreMatcher(["a", "b"]).HasExclusions);
        Assert.True(new IgnoreMatcher(["a", "!a/b"]).HasExclusions);
    }

    private static TheoryData<int, string, string, bool> Table(string file, [CallerFilePath] string source = "")
    {
        var data = new TheoryData<int, string, string, bool>();
        var lines = File.ReadAllLines(Path.Combine(Path.GetDirectoryName(source)!, file));
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].StartsWith("# ", StringComparison.Ordinal) || lines[i].Length == 0)
            {
                continue;
            }

            var cells = lines[i].Split('\t');
            Assert.True(cells.Length == 3, $"{file}:{i + 1} needs three tab-separated cells");
            data.Add(i + 1, cells[0], cells[1], bool.Parse(cells[2]));
        }

        return data;
    }
}
