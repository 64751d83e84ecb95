namespace PSContainers.Runtime.Mounts;

/// <summary>The OCI mount options of one mount, split into mount(2) flags, propagation and data.</summary>
public sealed class MountOptions
{
    private static readonly Dictionary<string, (bool Clear, ulong Flag)> FlagOptions = new(StringComparer.Ordinal)
    {
        ["defaults"] = (false, 0), ["ro"] = (false, Consts.MS_RDONLY), ["rw"] = (true, Consts.MS_RDONLY),
        ["nosuid"] = (false, Consts.MS_NOSUID), ["suid"] = (true, Consts.MS_NOSUID),
        ["nodev"] = (false, Consts.MS_NODEV), ["dev"] = (true, Consts.MS_NODEV),
        ["noexec"] = (false, Consts.MS_NOEXEC), ["exec"] = (true, Consts.MS_NOEXEC),
        ["sync"] = (false, Consts.MS_SYNCHRONOUS), ["async"] = (true, Consts.MS_SYNCHRONOUS),
        ["dirsync"] = (false, Consts.MS_DIRSYNC), ["remount"] = (false, Consts.MS_REMOUNT),
        ["mand"] = (false, Consts.MS_MANDLOCK), ["nomand"] = (true, Consts.MS_MANDLOCK),
        ["noatime"] = (false, Consts.MS_NOATIME), ["atime"] = (true, Consts.MS_NOATIME),
        ["nodiratime"] = (false, Consts.MS_NODIRATIME), ["diratime"] = (true, Consts.MS_NODIRATIME),
        ["relatime"] = (false, Consts.MS_RELATIME), ["norelatime"] = (true, Consts.MS_RELATIME),
        ["strictatime"] = (false, Consts.MS_STRICTATIME), ["nostrictatime"] = (true, Consts.MS_STRICTATIME),
        ["lazytime"] = (false, Consts.MS_LAZYTIME), ["nolazytime"] = (true, Consts.MS_LAZYTIME),
        ["nosymfollow"] = (false, Consts.MS_NOSYMFOLLOW), ["symfollow"] = (true, Consts.MS_NOSYMFOLLOW),
        ["silent"] = (false, Consts.MS_SILENT), ["loud"] = (true, Consts.MS_SILENT),
        ["bind"] = (false, Consts.MS_BIND), ["rbind"] = (false, Consts.MS_BIND | Consts.MS_REC),
    };

    private static readonly Dictionary<string, ulong> PropagationOptions = new(StringComparer.Ordinal)
    {
        ["private"] = Consts.MS_PRIVATE, ["rprivate"] = Consts.MS_PRIVATE | Consts.MS_REC,
        ["shared"] = Consts.MS_SHARED, ["rshared"] = Consts.MS_SHARED | Consts.MS_REC,
        ["slave"] = Consts.MS_SLAVE, ["rslave"] = Consts.MS_SLAVE | Consts.MS_REC,
        ["unbindable"] = Consts.MS_UNBINDABLE, ["runbindable"] = Consts.MS_UNBINDABLE | Consts.MS_REC,
    };

    // Options podman and docker pass that only matter to SELinux or to the engine itself.
    private static readonly HashSet<string> Ignored = new(StringComparer.Ordinal) { "z", "Z", "U", "copy", "nocopy", "notmpcopyup" };

    public ulong Flags { get; private set; }

    public ulong Propagation { get; private set; }

    public string? Data { get; private set; }

    public bool TmpCopyUp { get; private set; }

    public bool IsBind => (Flags & Consts.MS_BIND) != 0;

    public static MountOptions Parse(IEnumerable<string>? options)
    {
        var result = new MountOptions();
        var data = new List<string>();
        foreach (var option in options ?? Array.Empty<string>())
        {
            if (FlagOptions.TryGetValue(option, out var f))
            {
                result.Flags = f.Clear ? result.Flags & ~f.Flag : result.Flags | f.Flag;
            }
            else if (PropagationOptions.TryGetValue(option, out var p))
            {
                result.Propagation |= p;
            }
            else if (option == "tmpcopyup")
            {
                result.TmpCopyUp = true;
            }
            else if (option is "idmap" or "ridmap")
            {
                throw new NotSupportedException("the mount option 'idmap' (id-mapped mounts) is not supported by pscrun yet");
            }
            else if (!Ignored.Contains(option))
            {
                data.Add(option);
            }
        }

        result.Data = data.Count > 0 ? string.Join(',', data) : null;
        return result;
    }
}
