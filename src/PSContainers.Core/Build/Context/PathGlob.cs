namespace PSContainers.Core.Build.Context;

/// <summary>COPY and ADD source patterns as docker matches them (Go's filepath.Match per path component: *, ?, [a-z], [^a], \ escapes).</summary>
public static class PathGlob
{
    public static bool HasMeta(string pattern) => pattern.AsSpan().IndexOfAny("*?[\\") >= 0;

    /// <summary>Whether a relative path ("dir/file.txt") matches a relative pattern with the same number of components.</summary>
    public static bool Match(string pattern, string path)
    {
        var patternParts = pattern.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var pathParts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (patternParts.Length != pathParts.Length)
        {
            return false;
        }

        for (var i = 0; i < patternParts.Length; i++)
        {
            if (!MatchComponent(patternParts[i], pathParts[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>One component: * matches any run of characters, ? one character, [...] a class, \x the character x.</summary>
    public static bool MatchComponent(string pattern, string name) => MatchAt(pattern, 0, name, 0);

    private static bool MatchAt(string pattern, int p, string name, int n)
    {
        while (p < pattern.Length)
        {
            var c = pattern[p];
            switch (c)
            {
                case '*':
                    // Collapse a run of stars, then try every split point (bounded by the name's length).
                    while (p < pattern.Length && pattern[p] == '*')
                    {
                        p++;
                    }

                    if (p == pattern.Length)
                    {
                        return true;
                    }

                    for (var k = n; k <= name.Length; k++)
                    {
                        if (MatchAt(pattern, p, name, k))
                        {
                            return true;
                        }
                    }

                    return false;
                case '?':
                    if (n >= name.Length)
                    {
                        return false;
                    }

                    p++;
                    n++;
                    break;
                case '[':
                    if (n >= name.Length || !MatchClass(pattern, ref p, name[n]))
                    {
                        return false;
                    }

                    n++;
                    break;
                case '\\' when p + 1 < pattern.Length:
                    if (n >= name.Length || name[n] != pattern[p + 1])
                    {
                        return false;
                    }

                    p += 2;
                    n++;
                    break;
                default:
                    if (n >= name.Length || name[n] != c)
                    {
                        return false;
                    }

                    p++;
                    n++;
                    break;
            }
        }

        return n == name.Length;
    }

    private static bool MatchClass(string pattern, ref int p, char ch)
    {
        var start = p;
        p++;
        var negate = p < pattern.Length && pattern[p] is '^' or '!';
        if (negate)
        {
            p++;
        }

        var matched = false;
        var first = true;
        while (p < pattern.Length && (pattern[p] != ']' || first))
        {
            first = false;
            var lo = pattern[p];
            if (lo == '\\' && p + 1 < pattern.Length)
            {
                lo = pattern[++p];
            }

            p++;
            var hi = lo;
            if (p + 1 < pattern.Length && pattern[p] == '-' && pattern[p + 1] != ']')
            {
                hi = pattern[p + 1];
                if (hi == '\\' && p + 2 < pattern.Length)
                {
                    hi = pattern[p + 2];
                    p++;
                }

                p += 2;
            }

            if (lo <= ch && ch <= hi)
            {
                matched = true;
            }
        }

        if (p >= pattern.Length)
        {
            throw new ArgumentException($"The pattern \"{pattern}\" has a [ at {start} without its ].");
        }

        p++;
        return matched != negate;
    }
}
