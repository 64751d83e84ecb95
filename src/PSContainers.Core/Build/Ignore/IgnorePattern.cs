using System.Text;
using System.Text.RegularExpressions;
using PSContainers.Core.Build.Parser;

namespace PSContainers.Core.Build.Ignore;

// One cleaned pattern of moby's patternmatcher: exact, prefix ("dir/**"), suffix ("**/name") or a regular expression.
internal sealed class IgnorePattern
{
    private enum Kind
    {
        Exact,
        Prefix,
        Suffix,
        Regex,
    }

    private readonly Kind _kind;
    private readonly Regex? _regex;

    public IgnorePattern(string text)
    {
        Exclusion = text.StartsWith('!');
        Text = Exclusion ? text[1..] : text;
        Dirs = Text.Split('/');
        (_kind, _regex) = Compile(Text);
    }

    public bool Exclusion { get; }

    public string Text { get; }

    public string[] Dirs { get; }

    public bool Matches(string path) => _kind switch
    {
        Kind.Exact => path == Text,
        Kind.Prefix => path.StartsWith(Text[..^2], StringComparison.Ordinal),
        Kind.Suffix => SuffixMatches(path),
        _ => _regex!.IsMatch(path),
    };

    private bool SuffixMatches(string path)
    {
        var suffix = Text[2..];
        return path.EndsWith(suffix, StringComparison.Ordinal) || (suffix.StartsWith('/') && path == suffix[1..]);
    }

    /// <summary>Go's filepath.Clean on a '/'-separated path.</summary>
    public static string Clean(string path)
    {
        if (path.Length == 0)
        {
            return ".";
        }

        var rooted = path[0] == '/';
        var parts = new List<string>();
        foreach (var part in path.Split('/'))
        {
            if (part.Length == 0 || part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (parts.Count > 0 && parts[^1] != "..")
                {
                    parts.RemoveAt(parts.Count - 1);
                }
                else if (!rooted)
                {
                    parts.Add(part);
                }

                continue;
            }

            parts.Add(part);
        }

        var joined = string.Join('/', parts);
        return rooted ? "/" + joined : joined.Length == 0 ? "." : joined;
    }

    private static (Kind, Regex?) Compile(string pattern)
    {
        var regex = new StringBuilder("^");
        var kind = Kind.Exact;
        for (var i = 0; i < pattern.Length; i++)
        {
            var ch = pattern[i];
            if (ch == '*')
            {
                if (i + 1 < pattern.Length && pattern[i + 1] == '*')
                {
                    var first = i == 0;
                    i++;

                    // "**/" is "**": the slash is eaten.
                    if (i + 1 < pattern.Length && pattern[i + 1] == '/')
                    {
                        i++;
                    }

                    if (i + 1 == pattern.Length)
                    {
                        // A trailing ** takes everything below, as .gitignore does.
                        if (kind == Kind.Exact)
                        {
                            kind = Kind.Prefix;
                        }
                        else
                        {
                            regex.Append(".*");
                            kind = Kind.Regex;
                        }
                    }
                    else
                    {
                        regex.Append("(.*/)?");
                        kind = Kind.Regex;
                    }

                    if (first)
                    {
                        kind = Kind.Suffix;
                    }
                }
                else
                {
                    regex.Append("[^/]*");
                    kind = Kind.Regex;
                }
            }
            else if (ch == '?')
            {
                regex.Append("[^/]");
                kind = Kind.Regex;
            }
            else if (".+()|{}$".Contains(ch))
            {
                regex.Append('\\').Append(ch);
            }
            else if (ch == '\\')
            {
                if (i + 1 < pattern.Length)
                {
                    regex.Append('\\').Append(pattern[++i]);
                    kind = Kind.Regex;
                }
                else
                {
                    regex.Append(@"\\");
                }
            }
            else if (ch is '[' or ']')
            {
                regex.Append(ch);
                kind = Kind.Regex;
            }
            else
            {
                regex.Append(ch);
            }
        }

        // Prefix ("a/**") and suffix ("**/a") shortcuts hold only while the rest of the pattern is literal.
        if (kind == Kind.Prefix && !pattern.EndsWith("**", StringComparison.Ordinal))
        {
            kind = Kind.Regex;
        }

        if (kind != Kind.Regex)
        {
            return (kind, null);
        }

        try
        {
            // Interpreted, not Compiled: compiling costs milliseconds per pattern on every build, more than a context walk saves.
            return (kind, new Regex(regex.Append('$').ToString(), RegexOptions.CultureInvariant | RegexOptions.Singleline));
        }
        catch (ArgumentException ex)
        {
            throw new DockerfileParseException(".dockerignore", 0, $"syntax error in pattern \"{pattern}\"", ex);
        }
    }
}
