using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace PSContainers.Completers;

/// <summary>Tab completion of -Platform with the platforms multi-arch images usually carry.</summary>
public sealed class PlatformCompleter : IArgumentCompleter
{
    private static readonly string[] Platforms =
        ["linux/amd64", "linux/arm64", "linux/arm/v7", "linux/arm/v6", "linux/386", "linux/ppc64le", "linux/s390x", "linux/riscv64"];

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var prefix = wordToComplete.Trim('\'', '"');
        return Platforms.Where(p => p.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(p => new CompletionResult(p, p, CompletionResultType.ParameterValue, p))
            .ToList();
    }
}
