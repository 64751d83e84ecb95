using System.Globalization;

namespace PSContainers.Core.Containers;

/// <summary>Parses signals as users write them: 15, TERM, SIGTERM, sigkill.</summary>
public static class SignalNames
{
    private static readonly Dictionary<string, int> Numbers = new(StringComparer.OrdinalIgnoreCase)
    {
        ["HUP"] = 1, ["INT"] = 2, ["QUIT"] = 3, ["ILL"] = 4, ["TRAP"] = 5, ["ABRT"] = 6, ["BUS"] = 7, ["FPE"] = 8,
        ["KILL"] = 9, ["USR1"] = 10, ["SEGV"] = 11, ["USR2"] = 12, ["PIPE"] = 13, ["ALRM"] = 14, ["TERM"] = 15,
        ["STKFLT"] = 16, ["CHLD"] = 17, ["CONT"] = 18, ["STOP"] = 19, ["TSTP"] = 20, ["TTIN"] = 21, ["TTOU"] = 22,
        ["URG"] = 23, ["XCPU"] = 24, ["XFSZ"] = 25, ["VTALRM"] = 26, ["PROF"] = 27, ["WINCH"] = 28, ["IO"] = 29,
        ["PWR"] = 30, ["SYS"] = 31,
    };

    public static int Parse(string signal)
    {
        var text = signal.Trim();
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number is > 0 and <= 64)
        {
            return number;
        }

        if (text.StartsWith("SIG", StringComparison.OrdinalIgnoreCase))
        {
            text = text[3..];
        }

        return Numbers.TryGetValue(text, out number)
            ? number
            : throw ContainerEngineException.Invalid($"Unknown signal \"{signal}\": use a name such as TERM or SIGKILL, or a number.", signal);
    }
}
