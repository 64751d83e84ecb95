using PSContainers.Core.Build.Parser;

namespace PSContainers.Core.Build.Ignore;

/// <summary>Docker's pattern matcher (moby patternmatcher): the last matching pattern decides; used while walking the context.</summary>
/// <remarks>Walk with it like this: a path that IsExcluded is not sent; an excluded directory is still entered when MayIncludeUnder says so,
/// and its files are checked one by one (a re-included file brings its parent directories with it).</remarks>
public sealed class IgnoreMatcher
{
    private readonly List<IgnorePattern> _patterns = [];

    /// <summary>Patterns as DockerIgnore.ReadPatterns returns them; a bad one throws DockerfileParseException naming it.</summary>
    public IgnoreMatcher(IEnumerable<string> patterns)
    {
        foreach (var raw in patterns)
        {
            var text = raw.Trim();
            if (text.Length == 0)
            {
                continue;
            }

            if (text == "!")
            {
                throw new DockerfileParseException(".dockerignore", 0, "illegal exclusion pattern: \"!\"");
            }

            var exclusion = text.StartsWith('!');
            var body = IgnorePattern.Clean(exclusion ? text[1..] : text);
            _patterns.Add(new IgnorePattern(exclusion ? "!" + body : body));
        }
    }

    /// <summary>True when there are ! patterns at all.</summary>
    public bool HasExclusions => _patterns.Any(p => p.Exclusion);

    /// <summary>True when a context-relative path ('/'-separated, no leading '/') is excluded: the last pattern that matches it or one of its parent directories decides.</summary>
    public bool IsExcluded(string relativePath)
    {
        var path = IgnorePattern.Clean(relativePath.TrimStart('/'));

        // The parent directories, made once per path: "a", "a/b" for "a/b/c".
        var parents = new List<string>();
        for (var slash = path.IndexOf('/'); slash > 0; slash = path.IndexOf('/', slash + 1))
        {
            parents.Add(path[..slash]);
        }

        var matched = false;
        foreach (var pattern in _patterns)
        {
            // An include can only change an unmatched path and an exception only a matched one.
            if (pattern.Exclusion != matched)
            {
                continue;
            }

            var match = pattern.Matches(path);
            for (var i = 0; !match && i < parents.Count; i++)
            {
                match = pattern.Matches(parents[i]);
            }

            if (match)
            {
                matched = !pattern.Exclusion;
            }
        }

        return matched;
    }

    /// <summary>For an excluded directory: false when no exception (!pattern) could match anything under it, so the walk can skip the whole tree.
    /// Conservative: true whenever an exception's leading components could match this directory's.</summary>
    public bool MayIncludeUnder(string relativeDirectory)
    {
        var dirs = IgnorePattern.Clean(relativeDirectory.TrimStart('/')).Split('/');
        foreach (var pattern in _patterns)
        {
            if (pattern.Exclusion && CouldMatchBelow(pattern.Dirs, dirs))
            {
                return true;
            }
        }

        return false;
    }

    private static bool CouldMatchBelow(string[] patternDirs, string[] dirs)
    {
        for (var i = 0; i < dirs.Length; i++)
        {
            if (i >= patternDirs.Length)
            {
                // The exception names this directory or a parent of it: everything below is back in.
                return true;
            }

            if (patternDirs[i].Contains("**", StringComparison.Ordinal))
            {
                return true;
            }

            if (!new IgnorePattern(patternDirs[i]).Matches(dirs[i]))
            {
                return false;
            }
        }

        return true;
    }
}
