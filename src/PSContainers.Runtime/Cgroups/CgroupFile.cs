using System.Globalization;
using System.Text;

namespace PSContainers.Runtime.Cgroups;

// Reading and writing cgroup interface files with errors that name the file and value.
internal static class CgroupFile
{
    public static void Write(string path, string value)
    {
        int errno = CgroupNative.WriteFile(path, Encoding.UTF8.GetBytes(value));
        if (errno != 0)
        {
            throw new CgroupException(
                $"Cannot write '{value}' to {path}: {CgroupNative.Describe(errno)}", path, value, errno);
        }
    }

    public static void Write(string path, long value) => Write(path, value.ToString(CultureInfo.InvariantCulture));

    /// <summary>Returns the trimmed content, or null when the file does not exist.</summary>
    public static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
        catch (IOException e) when (e.HResult == Enodev)
        {
            // A cgroup removed while it is read (its container just exited) answers ENODEV: it is gone too.
            return null;
        }
    }

    private const int Enodev = 19;

    public static string Read(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CgroupException($"Cannot read {path}: {e.Message}", path, null, 0, e);
        }
    }

    /// <summary>Reads a number; "max" and a missing or unparsable file give null.</summary>
    public static ulong? TryReadNumber(string path)
    {
        string? text = TryRead(path);
        return text is not null && ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ulong n) ? n : null;
    }

    /// <summary>Reads "key value" lines (memory.stat, cpu.stat, memory.events, oom_control, cgroup.events).</summary>
    public static Dictionary<string, ulong> ReadKeyValues(string path)
    {
        var values = new Dictionary<string, ulong>(StringComparer.Ordinal);
        string? text = TryRead(path);
        if (text is null)
        {
            return values;
        }

        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && ulong.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out ulong n))
            {
                values[parts[0]] = n;
            }
        }

        return values;
    }

    public static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Format(ulong value) => value.ToString(CultureInfo.InvariantCulture);
}
