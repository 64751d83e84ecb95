using System.Runtime.CompilerServices;
using PSContainers.Core.Build.Parser;

namespace PSContainers.Core.Tests.Build;

// Hundreds of rows: a word, the environment below, and what BuildKit's lexer makes of it.
public sealed class ExpansionTableTests
{
    private static readonly Dictionary<string, string> Environment = new()
    {
        ["PWD"] = "/home",
        ["X"] = "x",
        ["EMPTY"] = "",
        ["SPACES"] = "a b  c",
        ["NUM"] = "42",
        ["PATH_LIKE"] = "/usr/local/bin/tool.tar.gz",
        ["KOREAN"] = "한국어",
        ["STAR"] = "*star*",
        ["DOLLAR"] = "a$b",
        ["USER"] = "app",
        ["GROUP"] = "staff",
        ["UNDER_SCORE"] = "under",
        ["lower"] = "lowercase",
    };

    public static TheoryData<int, string, string> Rows() => Table("expansion-table.txt");

    public static TheoryData<int, string, string> WordRows() => Table("expansion-words.txt");

    [Theory]
    [MemberData(nameof(Rows))]
    public void ExpandsAWordAsBuildKitDoes(int line, string word, string expected)
    {
        var expander = new ShellWordExpander();
        if (expected.StartsWith('!'))
        {
            var error = Assert.Throws<WordExpansionException>(() => expander.ProcessWord(word, Environment));
            Assert.Contains(expected[1..], error.Message);
            return;
        }

        Assert.True(line > 0);
        Assert.Equal(expected == "∅" ? "" : expected, expander.ProcessWord(word, Environment));
    }

    [Theory]
    [MemberData(nameof(WordRows))]
    public void SplitsWordsAfterExpansion(int line, string word, string expected)
    {
        Assert.True(line > 0);
        var words = new ShellWordExpander().ProcessWords(word, Environment);
        Assert.Equal(expected == "∅" ? "" : expected, string.Join(" | ", words));
    }

    [Theory]
    [InlineData("`$X", "$X")]
    [InlineData("``", "`")]
    [InlineData("a`b", "ab")]
    [InlineData("\"a`\"b\"", "a\"b")]
    [InlineData(@"C:\path\to", @"C:\path\to")]
    [InlineData(@"""C:\path""", @"C:\path")]
    [InlineData("$X`", "x")]
    public void HonoursTheBacktickEscape(string word, string expected) =>
        Assert.Equal(expected, new ShellWordExpander('`').ProcessWord(word, Environment));

    [Fact]
    public void HeredocBodiesKeepTheirQuotes()
    {
        var expander = new ShellWordExpander(processQuotes: false);
        Assert.Equal("echo \"x\" 'x' $X\n", expander.ProcessWord("echo \"$X\" '$X' \\$X\n", Environment));
    }

    [Fact]
    public void ReportsWhichNamesWereLookedUp()
    {
        var result = new ShellWordExpander().Process("$X ${UNSET:-$PWD} '$QUOTED'", name => Environment.GetValueOrDefault(name));
        Assert.Equal(["PWD", "X"], result.Matched.Order());
        Assert.Equal(["UNSET"], result.Unmatched);
    }

    [Fact]
    public void TablesHaveHundredsOfRows() => Assert.True(Rows().Count + WordRows().Count >= 200);

    internal static TheoryData<int, string, string> Table(string file, [CallerFilePath] string source = "")
    {
        var data = new TheoryData<int, string, string>();
        var lines = File.ReadAllLines(Path.Combine(Path.GetDirectoryName(source)!, file));
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].StartsWith('#') || lines[i].Length == 0)
            {
                continue;
            }

            var cells = lines[i].Split('\t');
            Assert.True(cells.Length == 2, $"{file}:{i + 1} needs two tab-separated cells");
            data.Add(i + 1, cells[0], cells[1]);
        }

        return data;
    }
}
