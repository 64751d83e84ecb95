namespace PSContainers.Core.Build.Ignore;

/// <summary>Docker's pattern matcher (moby patternmatcher): the last matching pattern decides; used while walking the context.</summary>
public sealed class IgnoreMatcher
{
    public IgnoreMatcher(IEnumerable<string> patterns) => throw new NotImplementedException();

    /// <summary>True when a context-relative path ('/'-separated, no leading '/') is excluded.</summary>
    /// <param name="parentExcluded">Whether the directory that holds it was excluded (a directory excluded excludes its contents unless a later pattern re-includes them).</param>
    public bool IsExcluded(string relativePath, bool parentExcluded = false) => throw new NotImplementedException();

    /// <summary>For an excluded directory: false when no exception (!pattern) could match anything under it, so the walk can skip the whole tree.</summary>
    public bool MayIncludeUnder(string relativeDirectory) => throw new NotImplementedException();

    /// <summary>True when there are ! patterns at all.</summary>
    public bool HasExclusions => throw new NotImplementedException();
}
