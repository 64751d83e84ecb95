using System.Text;

namespace PSContainers.Runtime.Cgroups;

// One line of /proc/self/mountinfo; only the fields cgroup detection needs.
internal sealed record MountInfoEntry(string Root, string MountPoint, string FileSystemType, IReadOnlyList<string> SuperOptions)
{
    /// <summary>Parses mountinfo text; malformed lines are skipped rather than failing detection.</summary>
    public static List<MountInfoEntry> Parse(string text)
    {
        var entries = new List<MountInfoEntry>();
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // id parent major:minor root mountpoint options [optional...] - fstype source superoptions
            string[] fields = line.Split(' ');
            int separator = Array.IndexOf(fields, "-", 6);
            if (separator < 0 || separator + 3 >= fields.Length)
            {
                continue;
            }

            string superOptions = fields[separator + 3];
            entries.Add(new MountInfoEntry(
                Unescape(fields[3]),
                Unescape(fields[4]),
                fields[separator + 1],
                superOptions.Split(',', StringSplitOptions.RemoveEmptyEntries)));
        }

        return entries;
    }

    // The kernel writes space, tab, newline and backslash in paths as \ooo octal escapes.
    private static string Unescape(string field)
    {
        if (!field.Contains('\\'))
        {
            return field;
        }

        var bytes = new List<byte>(field.Length);
        for (int i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && IsOctal(field, i + 1))
            {
                bytes.Add((byte)(((field[i + 1] - '0') << 6) | ((field[i + 2] - '0') << 3) | (field[i + 3] - '0')));
                i += 3;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(field[i].ToString()));
            }
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private static bool IsOctal(string s, int start)
    {
        if (start + 2 >= s.Length)
        {
            return false;
        }

        for (int i = start; i < start + 3; i++)
        {
            if (s[i] < '0' || s[i] > '7')
            {
                return false;
            }
        }

        return true;
    }
}
