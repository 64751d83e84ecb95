using System.Text.RegularExpressions;
using PSContainers.Core.Build;

namespace PSContainers.Api.Build;

/// <summary>
/// The engine's build lines in the classic builder's words, which the docker CLI prints and docker-compose parses:
/// "Step 2/5 : RUN make", " ---> Using cache", " ---> 1a2b3c4d5e6f", RUN output as it is, warnings as [WARNING].
/// </summary>
internal static partial class BuildOutputFormat
{
    public static string Line(BuildOutputLine line)
    {
        if (line.Stream == BuildOutputLine.WarningStream)
        {
            return "[WARNING]: " + line.Text + "\n";
        }

        if (line.Stream == "builder")
        {
            if (StepPattern().Match(line.Text) is { Success: true } step)
            {
                return $"{step.Groups["stage"].Value}Step {step.Groups["n"].Value} : {step.Groups["text"].Value}\n";
            }

            if (line.Text.StartsWith("--> Using cache", StringComparison.Ordinal))
            {
                return " ---> Using cache\n";
            }

            if (line.Text.StartsWith("--> ", StringComparison.Ordinal))
            {
                return " ---> " + line.Text[4..] + "\n";
            }
        }

        return line.Text + "\n";
    }

    /// <summary>The closing lines docker-compose and the CLI look for: the short id, then each tag.</summary>
    public static IEnumerable<string> Success(string imageId, IEnumerable<string> tags)
    {
        var hex = imageId.StartsWith("sha256:", StringComparison.Ordinal) ? imageId[7..] : imageId;
        yield return $"Successfully built {hex[..Math.Min(12, hex.Length)]}\n";
        foreach (var tag in tags)
        {
            yield return $"Successfully tagged {tag}\n";
        }
    }

    [GeneratedRegex(@"^(?<stage>\[\d+/\d+\] )?STEP (?<n>\d+/\d+): (?<text>.*)$", RegexOptions.Singleline)]
    private static partial Regex StepPattern();
}
