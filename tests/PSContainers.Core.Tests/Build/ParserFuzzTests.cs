using System.Text;
using PSContainers.Core.Build.Ignore;
using PSContainers.Core.Build.Instructions;
using PSContainers.Core.Build.Parser;

namespace PSContainers.Core.Tests.Build;

// Random bytes and random mutations of the golden Dockerfiles: the parser, the variable walk and the ignore matcher
// may refuse them only with their own error types. Fixed seeds and bounded iterations keep runs repeatable.
public sealed class ParserFuzzTests
{
    private static readonly string[] Fragments =
    [
        "\\\n", "`\n", "<<EOF\n", "<<-'X'\n", "EOF\n", "\n", "#", "# escape=`\n", "${", "}", "$", "\"", "'", "[", "]", ",", "=",
        "--mount=type=cache,target=", "--from=", "FROM ", "RUN ", "COPY ", "ONBUILD ", "ARG ", "ENV ", "HEALTHCHECK ", "\t", "\r",
        "${A:-", "${A/", "${A#", ":?", "AS ", "\uFEFF", "\0", "\u00e9",
    ];

    [Fact]
    public void RandomBytesNeverCrashTheParser()
    {
        var random = new Random(8);
        for (var i = 0; i < 3000; i++)
        {
            var bytes = new byte[random.Next(0, 200)];
            random.NextBytes(bytes);
            var text = Encoding.UTF8.GetString(bytes);
            if (i % 2 == 0)
            {
                text = "FROM busybox\n" + text;
            }

            Survive(text);
        }
    }

    [Fact]
    public void MutatedGoldenFilesNeverCrashTheParser()
    {
        var random = new Random(9);
        var originals = Directory.GetDirectories(DockerfileGoldenTests.TestDataDirectory())
            .Select(d => File.ReadAllText(Path.Combine(d, "Dockerfile"))).ToArray();
        Assert.NotEmpty(originals);
        for (var i = 0; i < 4000; i++)
        {
            var text = new StringBuilder(originals[random.Next(originals.Length)]);
            for (var m = random.Next(1, 6); m > 0; m--)
            {
                var at = random.Next(text.Length + 1);
                switch (random.Next(4))
                {
                    case 0:
                        text.Insert(at, Fragments[random.Next(Fragments.Length)]);
                        break;
                    case 1 when text.Length > 0:
                        text.Remove(Math.Min(at, text.Length - 1), Math.Min(random.Next(1, 8), text.Length - Math.Min(at, text.Length - 1)));
                        break;
                    case 2 when text.Length > 0:
                        text[Math.Min(at, text.Length - 1)] = (char)random.Next(0, 128);
                        break;
                    default:
                        text.Insert(at, text.ToString(0, Math.Min(at, random.Next(0, 20))));
                        break;
                }
            }

            Survive(text.ToString());
        }
    }

    [Fact]
    public void RandomWordsNeverCrashTheExpanderOrTheMatcher()
    {
        var random = new Random(10);
        const string alphabet = "ab$ {}:-+?#%/\\'\"*[]!.^`\n";
        var env = new Dictionary<string, string> { ["a"] = "1", ["b"] = "", ["ab"] = "x y" };
        for (var i = 0; i < 5000; i++)
        {
            var word = new string(Enumerable.Range(0, random.Next(0, 16)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
            try
            {
                new ShellWordExpander(i % 3 == 0 ? '`' : '\\').ProcessWords(word, env);
            }
            catch (WordExpansionException)
            {
            }

            try
            {
                var matcher = new IgnoreMatcher(DockerIgnore.ReadPatterns(word));
                matcher.IsExcluded("ab/a.b");
                matcher.MayIncludeUnder("ab");
            }
            catch (DockerfileParseException)
            {
            }
        }
    }

    internal static void Survive(string text)
    {
        try
        {
            var model = DockerfileModel.Parse(text);
            var arguments = new BuildArguments();
            var globals = arguments.EvaluateGlobals(model);
            foreach (var stage in model.Stages)
            {
                BuildArguments.ExpandFrom(model, stage.From, globals);
                var variables = arguments.BeginStage(model, globals, []);
                foreach (var instruction in stage.Instructions)
                {
                    switch (instruction)
                    {
                        case ArgInstruction arg:
                            variables.Apply(arg);
                            break;
                        case EnvInstruction env:
                            variables.Apply(env);
                            break;
                        default:
                            variables.Expand(instruction);
                            break;
                    }
                }
            }

            model.StagesNeededFor(null);
        }
        catch (DockerfileParseException ex)
        {
            Assert.False(string.IsNullOrEmpty(ex.Reason));
        }
    }
}
