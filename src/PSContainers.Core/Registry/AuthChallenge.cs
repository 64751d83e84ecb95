using System.Text;

namespace PSContainers.Core.Registry;

/// <summary>One challenge of a WWW-Authenticate header: a scheme (Bearer, Basic) and its parameters (realm, service, scope).</summary>
public sealed class AuthChallenge
{
    public AuthChallenge(string scheme, IReadOnlyDictionary<string, string> parameters)
    {
        Scheme = scheme;
        Parameters = parameters;
    }

    public string Scheme { get; }

    /// <summary>Parameter names are case-insensitive (RFC 9110); values are unquoted and unescaped.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; }

    public bool IsBearer => Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase);

    public bool IsBasic => Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase);

    public string? this[string name] => Parameters.TryGetValue(name, out var value) ? value : null;

    /// <summary>
    /// Parses a WWW-Authenticate value that may hold several challenges
    /// (<c>Bearer realm="https://a/token",service="reg",scope="repository:x:pull", Basic realm="r"</c>).
    /// Malformed text ends parsing: what was read before it is returned, never an exception.
    /// </summary>
    public static IReadOnlyList<AuthChallenge> Parse(string? header)
    {
        var challenges = new List<AuthChallenge>();
        if (string.IsNullOrWhiteSpace(header))
        {
            return challenges;
        }

        var i = 0;
        string? scheme = null;
        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        while (true)
        {
            SkipSeparators(header, ref i);
            if (i >= header.Length)
            {
                break;
            }

            var start = i;
            var token = ReadToken(header, ref i);
            if (token.Length == 0)
            {
                break;
            }

            var afterToken = i;
            SkipSpaces(header, ref i);
            if (scheme is not null && i < header.Length && header[i] == '=' && !IsToken68Tail(header, i))
            {
                i++;
                SkipSpaces(header, ref i);
                var value = i < header.Length && header[i] == '"' ? ReadQuoted(header, ref i) : ReadToken(header, ref i);
                if (value is null)
                {
                    break;
                }

                parameters[token] = value;
                continue;
            }

            if (scheme is not null && parameters.Count == 0 && afterToken > start && IsToken68Tail(header, i))
            {
                // token68 (e.g. "Negotiate abc=="): kept whole under an empty name.
                while (i < header.Length && header[i] == '=')
                {
                    i++;
                }

                parameters[""] = header[start..i];
                continue;
            }

            if (scheme is not null)
            {
                challenges.Add(new AuthChallenge(scheme, parameters));
                parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            }

            scheme = token;
            i = afterToken;
        }

        if (scheme is not null)
        {
            challenges.Add(new AuthChallenge(scheme, parameters));
        }

        return challenges;
    }

    public override string ToString() =>
        Scheme + (Parameters.Count == 0 ? "" : " " + string.Join(",", Parameters.Select(p => $"{p.Key}=\"{p.Value}\"")));

    // "abc==" ends a token68 when only '=' characters and then a comma or the end follow.
    private static bool IsToken68Tail(string s, int i)
    {
        var j = i;
        while (j < s.Length && s[j] == '=')
        {
            j++;
        }

        if (j == i)
        {
            return false;
        }

        while (j < s.Length && s[j] is ' ' or '\t')
        {
            j++;
        }

        return j >= s.Length || s[j] == ',' || j - i > 1;
    }

    private static void SkipSpaces(string s, ref int i)
    {
        while (i < s.Length && s[i] is ' ' or '\t')
        {
            i++;
        }
    }

    private static void SkipSeparators(string s, ref int i)
    {
        while (i < s.Length && s[i] is ' ' or '\t' or ',')
        {
            i++;
        }
    }

    private static string ReadToken(string s, ref int i)
    {
        var start = i;
        while (i < s.Length && IsTokenChar(s[i]))
        {
            i++;
        }

        return s[start..i];
    }

    private static string? ReadQuoted(string s, ref int i)
    {
        var text = new StringBuilder();
        i++;
        while (i < s.Length)
        {
            var c = s[i++];
            if (c == '"')
            {
                return text.ToString();
            }

            if (c == '\\' && i < s.Length)
            {
                c = s[i++];
            }

            text.Append(c);
        }

        return null;
    }

    private static bool IsTokenChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~' or '/' or ':';
}
