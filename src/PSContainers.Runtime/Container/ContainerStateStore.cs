using System.Text.Json;
using PSContainers.Runtime.Processes;

namespace PSContainers.Runtime.Container;

/// <summary>The directory of container records under the runtime's --root.</summary>
public sealed class ContainerStateStore
{
    public const string DefaultRoot = "/run/pscrun";
    private const string RecordFile = "state.json";

    public ContainerStateStore(string? root)
    {
        Root = string.IsNullOrEmpty(root) ? DefaultRoot : Path.GetFullPath(root);
    }

    public string Root { get; }

    public static void ValidateId(string id)
    {
        // A plain loop: building even a source-generated Regex costs more than every check it would make here.
        if (string.IsNullOrEmpty(id) || id is "." or ".." || id.Length > 1024 || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '+' or '.' or '-'))
        {
            throw new ContainerException($"invalid container id \"{id}\": use letters, digits and _ + - . only");
        }
    }

    public string DirectoryOf(string id) => Path.Combine(Root, id);

    public string FifoOf(string id) => Path.Combine(Root, id, "exec.fifo");

    /// <summary>Claims the id atomically: mkdir fails if another create got there first.</summary>
    public string Claim(string id)
    {
        ValidateId(id);
        Directory.CreateDirectory(Root);
        var dir = DirectoryOf(id);
        if (Libc.Mkdir(dir, 0x1C0) < 0)
        {
            if (Libc.LastErrno == Errno.EEXIST)
            {
                throw new ContainerException($"container with id \"{id}\" already exists");
            }

            throw new SyscallException("mkdir", dir, Libc.LastErrno);
        }

        return dir;
    }

    public void Save(ContainerRecord record)
    {
        var file = Path.Combine(DirectoryOf(record.Id), RecordFile);
        var temp = file + ".tmp";
        File.WriteAllText(temp, ContainerRecordJson.Write(record));
        File.Move(temp, file, overwrite: true);
    }

    public ContainerRecord Load(string id)
    {
        ValidateId(id);
        var file = Path.Combine(DirectoryOf(id), RecordFile);
        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ContainerNotFoundException(id);
        }

        try
        {
            return ContainerRecordJson.Read(text);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            throw new ContainerException($"state of container \"{id}\" is unreadable: {file}: {e.Message}", e);
        }
    }

    public IEnumerable<string> Ids()
    {
        if (!Directory.Exists(Root))
        {
            return Array.Empty<string>();
        }

        return Directory.EnumerateDirectories(Root)
            .Where(d => File.Exists(Path.Combine(d, RecordFile)))
            .Select(d => Path.GetFileName(d)!)
            .Order(StringComparer.Ordinal);
    }

    public void Remove(string id)
    {
        var dir = DirectoryOf(id);
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
