namespace PSContainers.Runtime.Cgroups;

// /proc/<pid>/cgroup: "id:controller,list:/path" per v1 hierarchy and "0::/path" for v2.
internal static class ProcCgroupFile
{
    /// <summary>Maps each controller (and "" for v2) to the caller's cgroup path.</summary>
    public static Dictionary<string, string> Parse(string text)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            int first = line.IndexOf(':');
            int second = first < 0 ? -1 : line.IndexOf(':', first + 1);
            if (second < 0)
            {
                continue;
            }

            string controllers = line[(first + 1)..second];
            string path = line[(second + 1)..];
            if (controllers.Length == 0)
            {
                map[string.Empty] = path;
                continue;
            }

            foreach (string c in controllers.Split(','))
            {
                map[c] = path;
            }
        }

        return map;
    }
}
