using PSContainers.Core.Build.Ignore;
using PSContainers.Core.Containers;
using PSContainers.Runtime.Paths;

namespace PSContainers.Core.Build.Context;

/// <summary>
/// Where COPY and ADD read from: the build context (minus what .dockerignore excludes) or the root of a stage or
/// image (COPY --from). Sources resolve inside the tree only: ".." cannot climb out of it and symlinks resolve with
/// the tree as "/".
/// </summary>
public sealed class SourceTree
{
    private readonly IgnoreMatcher? _ignore;

    public SourceTree(string root, IgnoreMatcher? ignore, bool isContext)
    {
        Root = Path.GetFullPath(root).TrimEnd('/');
        if (Root.Length == 0)
        {
            Root = "/";
        }

        _ignore = ignore is { HasExclusions: true } ? ignore : null;
        IsContext = isContext;
    }

    public string Root { get; }

    public bool IsContext { get; }

    /// <summary>Whether a path (relative to the root, "/"-separated) is left out by .dockerignore.</summary>
    public bool IsExcluded(string relative) => _ignore is not null && relative.Length > 0 && _ignore.IsExcluded(relative);

    /// <summary>Whether anything under an excluded directory is included again (a "!" pattern), so it must still be walked.</summary>
    public bool MayIncludeUnder(string relative) => _ignore is null || _ignore.MayIncludeUnder(relative);

    /// <summary>The sources a COPY/ADD source word names: one path, or every path a pattern matches (sorted).</summary>
    public IReadOnlyList<CopySource> Resolve(string source, string instruction)
    {
        var relative = Clean(source, instruction);
        if (PathGlob.HasMeta(relative))
        {
            var matches = new List<CopySource>();
            Walk("", relative, matches);
            if (matches.Count == 0)
            {
                throw new ContainerEngineException("BuildSourceNotFound",
                    $"{instruction}: no source files were specified: the pattern \"{source}\" matches nothing in the {What}.", ContainerErrorKind.NotFound, source);
            }

            return matches;
        }

        var host = relative.Length == 0 ? Root : SecurePath.Resolve(Root, relative);
        var exists = Directory.Exists(host) || File.Exists(host) || new FileInfo(host).LinkTarget is not null;
        if (!exists || IsExcluded(relative))
        {
            throw new ContainerEngineException("BuildSourceNotFound",
                $"{instruction}: \"{source}\" was not found in the {What}{(IsContext ? " (or .dockerignore excludes it)" : "")}.", ContainerErrorKind.NotFound, source);
        }

        return [new CopySource(host, relative, Directory.Exists(host))];
    }

    private string What => IsContext ? "build context" : "source image";

    /// <summary>The source as a path relative to the root; a path that climbs out of the context is refused, as docker refuses it.</summary>
    public string Clean(string source, string instruction)
    {
        var parts = new List<string>();
        foreach (var part in source.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (parts.Count == 0)
                {
                    if (IsContext && !source.StartsWith('/'))
                    {
                        throw new ContainerEngineException("BuildContextPathOutside",
                            $"{instruction}: forbidden path outside the build context: {source}. Sources must be inside the context directory.", ContainerErrorKind.InvalidArgument, source);
                    }

                    // Inside an image, "/.." is "/" as in any root.
                    continue;
                }

                parts.RemoveAt(parts.Count - 1);
                continue;
            }

            parts.Add(part);
        }

        return string.Join('/', parts);
    }

    private void Walk(string relativeDir, string pattern, List<CopySource> matches)
    {
        var dir = relativeDir.Length == 0 ? Root : Path.Join(Root, relativeDir);
        var depth = pattern.Count(c => c == '/');
        var names = Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();
        foreach (var name in names)
        {
            var relative = relativeDir.Length == 0 ? name : relativeDir + "/" + name;
            var host = Path.Join(Root, relative);
            var isDir = Directory.Exists(host) && new FileInfo(host).LinkTarget is null;
            var level = relative.Count(c => c == '/');
            var excluded = IsExcluded(relative);
            if (level == depth)
            {
                if (!excluded && PathGlob.Match(pattern, relative))
                {
                    var resolved = SecurePath.Resolve(Root, relative);
                    matches.Add(new CopySource(resolved, relative, Directory.Exists(resolved)));
                }
            }
            else if (isDir && level < depth && (!excluded || MayIncludeUnder(relative))
                && PathGlob.Match(string.Join('/', pattern.Split('/').Take(level + 1)), relative))
            {
                Walk(relative, pattern, matches);
            }
        }
    }
}
