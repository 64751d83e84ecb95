using System.Formats.Tar;
using PSContainers.Runtime.Paths;

namespace PSContainers.Core.Containers;

/// <summary>Copies files in and out of a container's mounted root and writes it as a tar; container paths never resolve outside it.</summary>
/// <remarks>
/// Paths are resolved with SecurePath, one entry at a time, so a symlink inside the container cannot send a copy to the host.
/// A process in the running container could still swap a component between resolve and use; the fd-based check of the
/// runtime's mounts is not applied here yet.
/// </remarks>
public static class ContainerFiles
{
    /// <summary>docker cp CONTAINER:SRC DEST: into DEST, or into DEST/name when DEST is an existing directory.</summary>
    public static void CopyOut(string root, string containerPath, string hostPath)
    {
        var source = SecurePath.Resolve(root, containerPath);
        var info = new FileInfo(source);
        if (!info.Exists && !Directory.Exists(source) && info.LinkTarget is null)
        {
            throw new ContainerEngineException("ContainerPathNotFound", $"{containerPath} does not exist in the container.", ContainerErrorKind.NotFound, containerPath);
        }

        var target = Directory.Exists(hostPath) ? Path.Join(hostPath, Path.GetFileName(source.TrimEnd('/'))) : hostPath;
        CopyTree(source, target, _ => _);
    }

    /// <summary>docker cp SRC CONTAINER:DEST, with every destination entry resolved inside the container root.</summary>
    public static void CopyIn(string root, string hostPath, string containerPath)
    {
        if (!File.Exists(hostPath) && !Directory.Exists(hostPath))
        {
            throw new ContainerEngineException("HostPathNotFound", $"{hostPath} does not exist.", ContainerErrorKind.NotFound, hostPath);
        }

        var destination = containerPath.TrimEnd('/');
        if (Directory.Exists(SecurePath.Resolve(root, containerPath)))
        {
            destination = destination + "/" + Path.GetFileName(hostPath.TrimEnd('/'));
        }

        var hostRoot = Path.GetFullPath(hostPath).TrimEnd('/');
        CopyTree(hostRoot, SecurePath.Resolve(root, destination),
            hostEntry => SecurePath.Resolve(root, destination + hostEntry[hostRoot.Length..]));
    }

    /// <summary>The container's filesystem as a tar stream (symlinks as symlinks).</summary>
    public static void Export(string root, Stream destination, CancellationToken cancellationToken)
    {
        using var writer = new TarWriter(destination, TarEntryFormat.Pax, leaveOpen: true);
        var rootInfo = new DirectoryInfo(root);
        foreach (var entry in rootInfo.EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = true }))
        {
            cancellationToken.ThrowIfCancellationRequested();
            writer.WriteEntry(entry.FullName, Path.GetRelativePath(root, entry.FullName));
        }
    }

    // Copies source (a file, symlink or directory) to target; mapTarget turns each source entry into its safe target path.
    private static void CopyTree(string source, string target, Func<string, string> mapTarget)
    {
        var info = new FileInfo(source);
        if (info.LinkTarget is { } link)
        {
            File.CreateSymbolicLink(target, link);
            return;
        }

        if (!Directory.Exists(source))
        {
            File.Copy(source, target, overwrite: true);
            return;
        }

        Directory.CreateDirectory(target);
        foreach (var child in Directory.EnumerateFileSystemEntries(source))
        {
            var childTarget = mapTarget(child) is var mapped && mapped != child ? mapped : Path.Join(target, Path.GetFileName(child));
            CopyTree(child, childTarget, mapTarget);
        }
    }
}
