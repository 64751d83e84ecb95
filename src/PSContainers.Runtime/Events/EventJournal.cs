using System.Text;

namespace PSContainers.Runtime.Events;

/// <summary>The engine's event journal: one JSON line per event in RUNROOT/events.jsonl, bounded by rotation to events.jsonl.1.</summary>
/// <remarks>
/// Writers are the cmdlets' processes, the API service, every container's monitor and its health checks, with no
/// lock between them in the common case: each record is one write() on an O_APPEND descriptor, which the kernel
/// keeps whole against other appenders. When the file has grown past the bound, the first writer to take the
/// rotation lock renames it to .1 (dropping the older generation), so the journal holds at most twice the bound.
/// A record that cannot be written is lost rather than failing the operation it describes.
/// </remarks>
public sealed class EventJournal
{
    public const string FileName = "events.jsonl";
    public const long DefaultMaxBytes = 2 * 1024 * 1024;

    public EventJournal(string path, long maxBytes = DefaultMaxBytes)
    {
        Path = path;
        MaxBytes = maxBytes;
    }

    public string Path { get; }

    public long MaxBytes { get; }

    /// <summary>The previous generation, read before the current file.</summary>
    public string RotatedPath => Path + ".1";

    private string LockPath => Path + ".lock";

    /// <summary>Appends one record; false when it could not be written (the journal's directory is gone, the disk is full).</summary>
    public unsafe bool Append(EngineEvent record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var bytes = Encoding.UTF8.GetBytes(record.ToJsonLine() + "\n");
        try
        {
            RotateIfFull();
            var fd = Libc.Open(Path, Consts.O_WRONLY | Consts.O_APPEND | Consts.O_CREAT | Consts.O_CLOEXEC, 0x1A4);
            if (fd < 0)
            {
                return false;
            }

            try
            {
                fixed (byte* p = bytes)
                {
                    // One write: a short one on a regular file means the disk is full, and half a line is dropped by readers.
                    return Libc.Write(fd, p, bytes.Length) == bytes.Length;
                }
            }
            finally
            {
                Libc.Close(fd);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SyscallException)
        {
            return false;
        }
    }

    /// <summary>Every record in order, oldest first (the rotated generation, then the current file); unreadable lines are skipped.</summary>
    public IEnumerable<EngineEvent> ReadAll()
    {
        foreach (var file in new[] { RotatedPath, Path })
        {
            foreach (var line in ReadLines(file))
            {
                if (EngineEvent.Parse(line) is { } e)
                {
                    yield return e;
                }
            }
        }
    }

    /// <summary>The complete lines of a file from a byte offset; the offset after the last complete line comes back in next.</summary>
    public static List<string> ReadLinesFrom(string file, long offset, out long next)
    {
        var lines = new List<string>();
        next = offset;
        try
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (stream.Length < offset)
            {
                // Rotated or trimmed under us: start from the top of the new file.
                offset = 0;
            }

            stream.Position = offset;
            var bytes = new byte[stream.Length - offset];
            stream.ReadExactly(bytes);
            var start = 0;
            for (var i = 0; i < bytes.Length; i++)
            {
                if (bytes[i] == (byte)'\n')
                {
                    lines.Add(Encoding.UTF8.GetString(bytes, start, i - start));
                    start = i + 1;
                }
            }

            // A line still being written (no newline yet) is read next time.
            next = offset + start;
        }
        catch (FileNotFoundException)
        {
            next = 0;
        }
        catch (DirectoryNotFoundException)
        {
            next = 0;
        }

        return lines;
    }

    private static IEnumerable<string> ReadLines(string file) => ReadLinesFrom(file, 0, out _);

    private void RotateIfFull()
    {
        var info = new FileInfo(Path);
        if (!info.Exists || info.Length < MaxBytes)
        {
            return;
        }

        var lockFd = Libc.Open(LockPath, Consts.O_RDWR | Consts.O_CREAT | Consts.O_CLOEXEC, 0x180);
        if (lockFd < 0)
        {
            return;
        }

        try
        {
            Libc.Flock(lockFd, Libc.LOCK_EX);
            // Another writer may have rotated while this one waited for the lock.
            info.Refresh();
            if (info.Exists && info.Length >= MaxBytes)
            {
                File.Move(Path, RotatedPath, overwrite: true);
            }
        }
        finally
        {
            Libc.Close(lockFd);
        }
    }
}
