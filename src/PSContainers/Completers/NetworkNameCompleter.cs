using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using PSContainers.Core.Network;
using PSContainers.Core.State;

namespace PSContainers.Completers;

/// <summary>Tab completion of network names (and none, host for -Network).</summary>
public sealed class NetworkNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var prefix = wordToComplete.Trim('\'', '"');
        var names = new NetworkService(EnginePaths.FromEnvironment()).List().Select(n => n.Name).ToList();
        if (parameterName == "Network" && commandName is "New-Container" or "Invoke-Container")
        {
            names.AddRange(["none", "host"]);
        }

        return names.Distinct().Where(n => n.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal)
            .Select(n => new CompletionResult(n, n, CompletionResultType.ParameterValue, n)).ToList();
    }
}
