using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace PSContainers.Core.Build.Parser;

/// <summary>Dockerfile variable substitution and quote removal with the rules of BuildKit's shell lexer (not a shell: no globbing, no command substitution).</summary>
/// <remarks>Not thread-safe: one instance walks one word at a time.</remarks>
public sealed class ShellWordExpander
{
    private readonly char _escape;
    private readonly bool _processQuotes;
    private string _text = "";
    private int _pos;
    private Func<string, string?> _lookup = _ => null;
    private HashSet<string> _matched = [];
    private HashSet<string> _unmatched = [];

    /// <param name="escapeToken">\ or the one "# escape=" chose.</param>
    /// <param name="processQuotes">False for heredoc bodies: quotes are plain characters there.</param>
    public ShellWordExpander(char escapeToken = '\\', bool processQuotes = true)
    {
        if (escapeToken is not ('\\' or '`'))
        {
            throw new ArgumentOutOfRangeException(nameof(escapeToken), "the escape token is \\ or `");
        }

        _escape = escapeToken;
        _processQuotes = processQuotes;
    }

    /// <summary>The escape token this expander honours.</summary>
    public char EscapeToken => _escape;

    /// <summary>Expands a word and removes its quotes; spaces between words are kept.</summary>
    public string ProcessWord(string word, IReadOnlyDictionary<string, string> variables) =>
        Process(word, Lookup(variables)).Result;

    /// <summary>Expands a word, then splits it on unquoted whitespace (a variable's value is split too, as BuildKit does).</summary>
    public IReadOnlyList<string> ProcessWords(string word, IReadOnlyDictionary<string, string> variables) =>
        Process(word, Lookup(variables)).Words;

    /// <summary>Expands a word with a lookup that returns null for an unset name; the result also tells which names were looked up.</summary>
    public WordExpansion Process(string word, Func<string, string?> lookup)
    {
        _text = word;
        _pos = 0;
        _lookup = lookup;
        _matched = [];
        _unmatched = [];
        try
        {
            var (result, words) = ProcessStopOn(null, rawEscapes: false);
            return new WordExpansion(result, words, _matched, _unmatched);
        }
        catch (WordExpansionException ex)
        {
            throw new WordExpansionException($"failed to process \"{word}\": {ex.Message}");
        }
    }

    private static Func<string, string?> Lookup(IReadOnlyDictionary<string, string> variables) =>
        name => variables.TryGetValue(name, out var value) ? value : null;

    private int Peek() => _pos < _text.Length ? _text[_pos] : -1;

    private int Next() => _pos < _text.Length ? _text[_pos++] : -1;

    private (string Result, List<string> Words) ProcessStopOn(char? stop, bool rawEscapes)
    {
        var result = new StringBuilder();
        var words = new WordSplitter();
        while (Peek() != -1)
        {
            var ch = (char)Peek();
            if (stop is { } s && ch == s)
            {
                Next();
                return (result.ToString(), words.Finish());
            }

            if (ch == '$')
            {
                var value = ProcessDollar();
                result.Append(value);
                words.AddSplitting(value);
            }
            else if (ch == '\'' && _processQuotes)
            {
                var value = ProcessSingleQuote();
                result.Append(value);
                words.AddRaw(value);
            }
            else if (ch == '"' && _processQuotes)
            {
                var value = ProcessDoubleQuote(rawEscapes);
                result.Append(value);
                words.AddRaw(value);
            }
            else
            {
                Next();
                if (ch == _escape)
                {
                    if (rawEscapes)
                    {
                        words.AddRaw(ch);
                        result.Append(ch);
                    }

                    // An escape at the very end escapes nothing and disappears.
                    if (Peek() == -1)
                    {
                        break;
                    }

                    ch = (char)Next();
                    words.AddRaw(ch);
                }
                else
                {
                    words.Add(ch);
                }

                result.Append(ch);
            }
        }

        if (stop is { } missing)
        {
            throw new WordExpansionException($"unexpected end of statement while looking for matching {missing}");
        }

        return (result.ToString(), words.Finish());
    }

    private string ProcessSingleQuote()
    {
        Next();
        var result = new StringBuilder();
        while (true)
        {
            var ch = Next();
            if (ch == -1)
            {
                throw new WordExpansionException("unexpected end of statement while looking for matching single-quote");
            }

            if (ch == '\'')
            {
                return result.ToString();
            }

            result.Append((char)ch);
        }
    }

    private string ProcessDoubleQuote(bool rawEscapes)
    {
        Next();
        var result = new StringBuilder();
        while (true)
        {
            switch (Peek())
            {
                case -1:
                    throw new WordExpansionException("unexpected end of statement while looking for matching double-quote");
                case '"':
                    Next();
                    return result.ToString();
                case '$':
                    result.Append(ProcessDollar());
                    break;
                default:
                    var ch = (char)Next();
                    if (ch == _escape)
                    {
                        if (rawEscapes)
                        {
                            result.Append(ch);
                        }

                        var peek = Peek();
                        if (peek == -1)
                        {
                            continue;
                        }

                        // Inside double quotes only ", $ and the escape itself can be escaped; other escapes stay.
                        if (peek == '"' || peek == '$' || peek == _escape)
                        {
                            ch = (char)Next();
                        }
                    }

                    result.Append(ch);
                    break;
            }
        }
    }

    private string ProcessDollar()
    {
        Next();
        if (Peek() != '{')
        {
            var name = ProcessName();
            return name.Length == 0 ? "$" : Get(name) ?? "";
        }

        Next();
        switch (Peek())
        {
            case -1:
                throw new WordExpansionException("syntax error: missing '}'");
            case '{' or '}' or ':':
                throw new WordExpansionException("syntax error: bad substitution");
        }

        var variable = ProcessName();
        var op = Next();
        if (op == -1)
        {
            throw new WordExpansionException("syntax error: missing '}'");
        }

        var modifier = ((char)op).ToString();
        var nullIsUnset = false;
        switch (op)
        {
            case '}':
                return Get(variable) ?? "";
            case ':':
                nullIsUnset = true;
                op = Next();
                if (op == -1)
                {
                    throw new WordExpansionException("syntax error: missing '}'");
                }

                modifier += (char)op;
                if (op is not ('+' or '-' or '?' or '#' or '%'))
                {
                    // BuildKit reads the word before it rejects the modifier; the message is the same either way.
                    ReadUntilBrace(rawEscapes: false);
                    throw new WordExpansionException($"unsupported modifier ({modifier}) in substitution");
                }

                return Modify(variable, (char)op, modifier, nullIsUnset);
            case '+' or '-' or '?' or '#' or '%':
                return Modify(variable, (char)op, modifier, nullIsUnset);
            case '/':
                return Replace(variable);
            default:
                throw new WordExpansionException($"unsupported modifier ({modifier}) in substitution");
        }
    }

    private string ReadUntilBrace(bool rawEscapes)
    {
        try
        {
            return ProcessStopOn('}', rawEscapes).Result;
        }
        catch (WordExpansionException) when (Peek() == -1)
        {
            throw new WordExpansionException("syntax error: missing '}'");
        }
    }

    private string Modify(string name, char op, string modifier, bool nullIsUnset)
    {
        var word = ReadUntilBrace(rawEscapes: op is '#' or '%');
        var value = Get(name);
        var unset = value is null || (nullIsUnset && value.Length == 0);
        switch (op)
        {
            case '-':
                return unset ? word : value!;
            case '+':
                return unset ? "" : word;
            case '?':
                if (value is null)
                {
                    throw new WordExpansionException($"{name}: {(word.Length > 0 ? word : "is not allowed to be unset")}");
                }

                if (nullIsUnset && value.Length == 0)
                {
                    throw new WordExpansionException($"{name}: {(word.Length > 0 ? word : "is not allowed to be empty")}");
                }

                return value;
            default:
                var greedy = word.Length > 0 && word[0] == op;
                if (greedy)
                {
                    word = word[1..];
                }

                return op == '%' ? TrimSuffix(word, value ?? "", greedy) : TrimPrefix(word, value ?? "", greedy);
        }
    }

    private string Replace(string name)
    {
        var all = Peek() == '/';
        if (all)
        {
            Next();
        }

        string pattern;
        try
        {
            pattern = ProcessStopOn('/', rawEscapes: true).Result;
        }
        catch (WordExpansionException) when (Peek() == -1)
        {
            throw new WordExpansionException("syntax error: missing '/' in ${}");
        }

        var replacement = ReadUntilBrace(rawEscapes: true);
        var value = Get(name) ?? "";
        var regex = PatternRegex(pattern, greedy: true, anchored: false);
        if (all)
        {
            return regex.Replace(value, replacement.Replace("$", "$$", StringComparison.Ordinal));
        }

        var match = regex.Match(value);
        return match.Success ? value[..match.Index] + replacement + value[(match.Index + match.Length)..] : value;
    }

    private static string TrimPrefix(string pattern, string value, bool greedy)
    {
        var match = PatternRegex(pattern, greedy, anchored: true).Match(value);
        return match.Success ? value[(match.Index + match.Length)..] : value;
    }

    private static string TrimSuffix(string pattern, string value, bool greedy)
    {
        // Match the reversed pattern against the reversed value, anchored at its start, as BuildKit does.
        var reversedValue = new string(value.Reverse().ToArray());
        var match = PatternRegex(ReversePattern(pattern), greedy, anchored: true).Match(reversedValue);
        return match.Success ? value[..(value.Length - match.Length)] : value;
    }

    private static string ReversePattern(string pattern)
    {
        var output = new StringBuilder(pattern.Length);
        for (var i = pattern.Length - 1; i >= 0; i--)
        {
            // Keep an escape in front of the character it escapes: a\*c reverses to c\*a.
            if (i > 0 && pattern[i - 1] == '\\')
            {
                output.Append('\\').Append(pattern[i]);
                i--;
            }
            else
            {
                output.Append(pattern[i]);
            }
        }

        return output.ToString();
    }

    private static Regex PatternRegex(string pattern, bool greedy, bool anchored)
    {
        var output = new StringBuilder(anchored ? "^" : "");
        for (var i = 0; i < pattern.Length; i++)
        {
            var ch = pattern[i];
            switch (ch)
            {
                case '*':
                    output.Append(greedy ? ".*" : ".*?");
                    continue;
                case '?':
                    output.Append('.');
                    continue;
                case '\\':
                    var next = i + 1 < pattern.Length ? pattern[i + 1] : '\0';
                    if (next is '}' or '/')
                    {
                        continue;
                    }

                    if (next is not ('*' or '?' or '\\'))
                    {
                        throw new WordExpansionException($"invalid pattern ({pattern}) in substitution: invalid escape '\\{next}'");
                    }

                    output.Append('\\').Append(next);
                    i++;
                    continue;
                default:
                    output.Append(Regex.Escape(ch.ToString()));
                    continue;
            }
        }

        return new Regex(output.ToString(), RegexOptions.Singleline | RegexOptions.CultureInvariant);
    }

    private string ProcessName()
    {
        var name = new StringBuilder();
        while (Peek() != -1)
        {
            var ch = (char)Peek();
            if (name.Length == 0 && char.IsDigit(ch))
            {
                while (Peek() != -1 && char.IsDigit((char)Peek()))
                {
                    name.Append((char)Next());
                }

                return name.ToString();
            }

            if (name.Length == 0 && ch is '@' or '*' or '#' or '?' or '-' or '$' or '!' or '0')
            {
                Next();
                return ch.ToString(CultureInfo.InvariantCulture);
            }

            if (!char.IsLetter(ch) && !char.IsDigit(ch) && ch != '_')
            {
                break;
            }

            name.Append((char)Next());
        }

        return name.ToString();
    }

    private string? Get(string name)
    {
        var value = _lookup(name);
        (value is null ? _unmatched : _matched).Add(name);
        return value;
    }

    // Words as BuildKit splits them: expanded text splits on whitespace, quoted and escaped text never does.
    private sealed class WordSplitter
    {
        private readonly List<string> _words = [];
        private readonly StringBuilder _word = new();
        private bool _inWord;

        public void Add(char ch)
        {
            if (char.IsWhiteSpace(ch))
            {
                if (_inWord && _word.Length > 0)
                {
                    _words.Add(_word.ToString());
                    _word.Clear();
                    _inWord = false;
                }
            }
            else
            {
                AddRaw(ch);
            }
        }

        public void AddRaw(char ch)
        {
            _word.Append(ch);
            _inWord = true;
        }

        public void AddRaw(string text)
        {
            _word.Append(text);
            _inWord = true;
        }

        public void AddSplitting(string text)
        {
            foreach (var ch in text)
            {
                Add(ch);
            }
        }

        public List<string> Finish()
        {
            if (_word.Length > 0)
            {
                _words.Add(_word.ToString());
                _word.Clear();
                _inWord = false;
            }

            return _words;
        }
    }
}
