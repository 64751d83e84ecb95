using PSContainers.Core.Build.Cache;
using PSContainers.Core.Images;
using PSContainers.Core.Images.Snapshots;
using PSContainers.Native;

namespace PSContainers.Core.Build.Executor;

/// <summary>Whether a path exists in a stack of snapshots, read the way overlay reads them (top first; whiteouts and opaque directories hide what is below).</summary>
/// <remarks>Lexical: a symlinked directory on the way is not followed. It decides only which mount points a RUN created.</remarks>
internal sealed class SnapshotLookup(SnapshotStore snapshots)
{
    public bool ExistsBelow(IReadOnlyList<BuildLayer> layers, string path)
    {
        var relative = path.Trim('/');
        if (relative.Length == 0)
        {
            return true;
        }

        var parts = relative.Split('/');
        for (var i = layers.Count - 1; i >= 0; i--)
        {
            var fs = snapshots.FsDir(Digest.Parse(layers[i].ChainId));
            var host = Path.Join(fs, relative);
            if (LibcAt.Lstat(host, out var st))
            {
                return !(st.Type == Consts.S_IFCHR && st.Rdev == 0);
            }

            // An opaque directory (or a whiteout) on the way hides the layers below.
            for (var depth = parts.Length - 1; depth >= 0; depth--)
            {
                var prefix = Path.Join(fs, string.Join('/', parts[..depth]));
                var name = Path.Join(prefix, parts[depth]);
                if (LibcAt.Lstat(name, out var ancestor) && ancestor.Type == Consts.S_IFCHR && ancestor.Rdev == 0)
                {
                    return false;
                }

                if (depth > 0 && LibcAt.GetXattr(prefix, "trusted.overlay.opaque") is [(byte)'y'])
                {
                    return false;
                }
            }
        }

        return false;
    }
}
