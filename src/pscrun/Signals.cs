using System.Globalization;

namespace PSContainers.Pscrun;

/// <summary>Signal names and numbers of Linux x86-64, as `kill` accepts them.</summary>
internal static class Signals
{
    private static readonly string[] Names =
    {
        "", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE",
        "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM",
        "PROF", "WINCH", "IO", "PWR", "SYS",
    };

    public static int Parse(string text)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 && n <= 64)
        {
            return n;
        }

        var name = text.ToUpperInvariant();
        if (name.StartsWith("SIG", StringComparison.Ordinal))
        {
            name = name[3..];
        }

        var index = Array.IndexOf(Names, name);
        if (index > 0)
        {
            return index;
        }

        if (name.StartsWith("RTMIN", StringComparison.Ordinal))
        {
            var offset = name.Length > 5 && int.TryParse(name[5..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var o) ? o : 0;
            return 34 + offset;
        }

        throw new UsageException($"unknown signal \"{text}\"");
    }
}
