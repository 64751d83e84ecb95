using System.Runtime.CompilerServices;

namespace PSContainers.Core.Tests.Build;

// Golden pairs: testdata/<case>/Dockerfile (and optional buildargs, one NAME=VALUE a line) against testdata/<case>/result.
// PSC_UPDATE_GOLDEN=1 rewrites the results; every rewritten file is reviewed by hand before it is committed.
public sealed class DockerfileGoldenTests
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var dir in Directory.GetDirectories(TestDataDirectory()).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(dir));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ParsesAsTheGoldenFileSays(string name)
    {
        var dir = Path.Combine(TestDataDirectory(), name);
        var dockerfile = File.ReadAllText(Path.Combine(dir, "Dockerfile"));
        var buildArgsFile = Path.Combine(dir, "buildargs");
        var buildArgs = File.Exists(buildArgsFile)
            ? File.ReadAllLines(buildArgsFile).Where(l => l.Length > 0).Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1])
            : [];
        var actual = ModelDump.Render(dockerfile, buildArgs);
        var resultFile = Path.Combine(dir, "result");
        if (Environment.GetEnvironmentVariable("PSC_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(resultFile, actual);
        }

        Assert.True(File.Exists(resultFile), $"{name} has no result file (PSC_UPDATE_GOLDEN=1 writes it)");
        Assert.Equal(File.ReadAllText(resultFile), actual);
    }

    [Fact]
    public void HasAtLeastSixtyCases() => Assert.True(Cases().Count >= 60, $"only {Cases().Count} golden cases");

    internal static string TestDataDirectory([CallerFilePath] string source = "") => Path.Combine(Path.GetDirectoryName(source)!, "testdata");
}
