using System.Text;
using System.Text.RegularExpressions;
using PSContainers.Core.Build.Instructions;

namespace PSContainers.Core.Build.Parser;

/// <summary>Dockerfile text to nodes: directives, comments, continuations, heredocs. Pure: reads only the text it is given.</summary>
/// <remarks>The line rules are BuildKit's: directives only before anything else; comment lines dropped, also inside a
/// continuation; empty continuation lines skipped; heredocs only for RUN, COPY and ADD.</remarks>
public static partial class DockerfileParser
{
    private static readonly HashSet<string> KnownDirectives = ["escape", "syntax", "check"];
    private static readonly HashSet<string> HeredocKeywords = ["RUN", "COPY", "ADD"];

    [GeneratedRegex(@"^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$")]
    private static partial Regex DirectiveRegex();

    [GeneratedRegex(@"^(\d*)<<(-?)([^<]*)$")]
    private static partial Regex HeredocRegex();

    public static DockerfileAst Parse(string text, string fileName = "Dockerfile")
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = SplitLines(text);
        var escape = '\\';
        string? syntax = null;
        var seen = new HashSet<string>();
        var directivesDone = false;
        var nodes = new List<DockerfileNode>();
        var warnings = new List<string>();
        var index = 0;

        void Directive(string raw, int lineNumber)
        {
            if (directivesDone)
            {
                return;
            }

            var match = DirectiveRegex().Match(raw);
            var name = match.Success ? match.Groups[1].Value.ToLowerInvariant() : "";
            if (!KnownDirectives.Contains(name))
            {
                // An unknown directive is a comment and, as in BuildKit, ends the directives.
                directivesDone = true;
                return;
            }

            if (!seen.Add(name))
            {
                throw new DockerfileParseException(fileName, lineNumber, $"only one {name} parser directive can be used");
            }

            var value = match.Groups[2].Value;
            if (name == "escape")
            {
                if (value is not ("\\" or "`"))
                {
                    throw new DockerfileParseException(fileName, lineNumber, $"invalid escape token '{value}' does not match ` or \\");
                }

                escape = value[0];
            }
            else if (name == "syntax")
            {
                syntax = value;
            }
        }

        while (index < lines.Count)
        {
            var raw = lines[index++];
            var lineNumber = index;
            var trimmed = raw.TrimStart();
            Directive(trimmed, lineNumber);
            if (trimmed.StartsWith('#'))
            {
                continue;
            }

            var (line, ends) = TrimContinuation(trimmed, escape);
            if (ends && line.Trim().Length == 0)
            {
                continue;
            }

            var logical = new StringBuilder(line);
            while (!ends && index < lines.Count)
            {
                var next = lines[index++];
                Directive(next, index);
                if (next.TrimStart().StartsWith('#'))
                {
                    continue;
                }

                if (next.Trim().Length == 0)
                {
                    warnings.Add($"{fileName}:{index}: empty continuation line (BuildKit warns that these will become errors)");
                    continue;
                }

                (line, ends) = TrimContinuation(next, escape);
                logical.Append(line);
            }

            var node = NewNode(logical.ToString(), lineNumber, index, fileName);
            if (node is null)
            {
                continue;
            }

            if (HeredocKeywords.Contains(node.Keyword) || (node.Keyword == "ONBUILD" && HeredocKeywords.Contains(FirstWord(node.Arguments))))
            {
                var heredocs = new List<Heredoc>();
                var bodyStart = index;
                foreach (var start in HeredocsOf(node.Arguments, fileName, lineNumber))
                {
                    var content = new StringBuilder();
                    var terminated = false;
                    while (index < lines.Count)
                    {
                        var bodyLine = lines[index++];
                        var candidate = start.Chomp ? bodyLine.TrimStart('\t') : bodyLine;
                        if (candidate == start.Name)
                        {
                            terminated = true;
                            break;
                        }

                        content.Append(candidate).Append('\n');
                    }

                    if (!terminated)
                    {
                        throw new DockerfileParseException(fileName, lineNumber, $"unterminated heredoc {start.Name}");
                    }

                    heredocs.Add(start with { Content = content.ToString() });
                }

                node = node with { EndLine = index, Heredocs = heredocs, HeredocText = string.Join("\n", lines.Skip(bodyStart).Take(index - bodyStart)) };
            }

            nodes.Add(node);
        }

        if (nodes.Count == 0)
        {
            throw new DockerfileParseException(fileName, 0, "file with no instructions");
        }

        return new DockerfileAst { FileName = fileName, EscapeToken = escape, Syntax = syntax, Nodes = nodes, Warnings = warnings };
    }

    /// <summary>Splits one instruction line (continuations already joined) into keyword, flags and arguments; null for a blank line.</summary>
    public static DockerfileNode? NewNode(string line, int startLine, int endLine, string fileName)
    {
        var text = line.Trim();
        if (text.Length == 0)
        {
            return null;
        }

        var split = 0;
        while (split < text.Length && !IsBlank(text[split]))
        {
            split++;
        }

        var keyword = text[..split].ToUpperInvariant();
        var (arguments, flags) = ExtractFlags(text[split..], fileName, startLine);
        return new DockerfileNode
        {
            Keyword = keyword,
            Flags = flags,
            Arguments = arguments.Trim(),
            Original = line.TrimStart(),
            StartLine = startLine,
            EndLine = endLine,
        };
    }

    private static string FirstWord(string text)
    {
        var end = 0;
        while (end < text.Length && !IsBlank(text[end]))
        {
            end++;
        }

        return text[..end].ToUpperInvariant();
    }

    private static bool IsBlank(char c) => c is ' ' or '\t' or '\v' or '\f' or '\r';

    private static List<string> SplitLines(string text)
    {
        if (text.StartsWith('\uFEFF'))
        {
            text = text[1..];
        }

        var lines = text.Split('\n').Select(l => l.EndsWith('\r') ? l[..^1] : l).ToList();
        if (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        return lines;
    }

    private static (string Line, bool Ends) TrimContinuation(string line, char escape)
    {
        var end = line.Length;
        while (end > 0 && line[end - 1] is ' ' or '\t')
        {
            end--;
        }

        return end > 0 && line[end - 1] == escape ? (line[..(end - 1)], false) : (line, true);
    }

    // Leading --flags, quotes removed inside a flag, "--" alone ends them (BuildKit's extractBuilderFlags).
    private static (string Remainder, List<string> Flags) ExtractFlags(string line, string fileName, int lineNumber)
    {
        var flags = new List<string>();
        var pos = 0;
        while (true)
        {
            while (pos < line.Length && char.IsWhiteSpace(line[pos]))
            {
                pos++;
            }

            if (pos + 1 >= line.Length || line[pos] != '-' || line[pos + 1] != '-')
            {
                return (line[pos..], flags);
            }

            var word = new StringBuilder();
            var quoted = false;
            while (pos < line.Length && !char.IsWhiteSpace(line[pos]))
            {
                var ch = line[pos++];
                if (ch is '\'' or '"')
                {
                    quoted = true;
                    var closed = false;
                    while (pos < line.Length)
                    {
                        var q = line[pos++];
                        if (q == ch)
                        {
                            closed = true;
                            break;
                        }

                        if (q == '\\' && pos < line.Length)
                        {
                            q = line[pos++];
                        }

                        word.Append(q);
                    }

                    if (!closed)
                    {
                        throw new DockerfileParseException(fileName, lineNumber, $"unterminated quote in flag {word}");
                    }

                    continue;
                }

                if (ch == '\\')
                {
                    if (pos == line.Length)
                    {
                        continue;
                    }

                    ch = line[pos++];
                }

                word.Append(ch);
            }

            if (word.ToString() == "--" && !quoted)
            {
                return (line[pos..], flags);
            }

            flags.Add(word.ToString());
        }
    }

    // The heredoc starts on a RUN/COPY/ADD line: words split with quotes and escapes kept, then "[fd]<<[-]NAME".
    private static IEnumerable<Heredoc> HeredocsOf(string arguments, string fileName, int lineNumber)
    {
        if (!arguments.Contains("<<", StringComparison.Ordinal))
        {
            yield break;
        }

        var expander = new ShellWordExpander();
        foreach (var word in RawWords(arguments))
        {
            var match = HeredocRegex().Match(word);
            if (!match.Success || match.Groups[3].Value.Length == 0)
            {
                continue;
            }

            var rawName = match.Groups[3].Value;
            string name;
            try
            {
                name = expander.ProcessWord(rawName, new Dictionary<string, string>());
            }
            catch (WordExpansionException ex)
            {
                throw new DockerfileParseException(fileName, lineNumber, $"invalid heredoc name {rawName}: {ex.Message}", ex);
            }

            if (name.Length == 0)
            {
                throw new DockerfileParseException(fileName, lineNumber, $"invalid heredoc name {rawName}");
            }

            yield return new Heredoc
            {
                Name = name,
                Content = "",
                Expand = !rawName.Contains('"') && !rawName.Contains('\'') && !rawName.Contains('\\'),
                Chomp = match.Groups[2].Value == "-",
                FileDescriptor = match.Groups[1].Value.Length > 0 && int.TryParse(match.Groups[1].Value, out var fd) ? fd : 0,
            };
        }
    }

    /// <summary>Splits on unquoted whitespace, keeping quotes and escapes in the words (the form heredoc markers and name=value pairs are read in).</summary>
    internal static List<string> RawWords(string text, char escape = '\\')
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        char quote = '\0';
        for (var i = 0; i < text.Length; i++)
        {
            var ch = text[i];
            if (quote != '\0')
            {
                if (ch == quote)
                {
                    quote = '\0';
                }
                else if (ch == escape && quote != '\'')
                {
                    if (i + 1 == text.Length)
                    {
                        continue;
                    }

                    word.Append(ch);
                    ch = text[++i];
                }

                word.Append(ch);
                continue;
            }

            if (char.IsWhiteSpace(ch))
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }

                continue;
            }

            inWord = true;
            if (ch is '\'' or '"')
            {
                quote = ch;
            }
            else if (ch == escape)
            {
                if (i + 1 == text.Length)
                {
                    continue;
                }

                word.Append(ch);
                ch = text[++i];
            }

            word.Append(ch);
        }

        if (inWord)
        {
            words.Add(word.ToString());
        }

        return words;
    }
}
