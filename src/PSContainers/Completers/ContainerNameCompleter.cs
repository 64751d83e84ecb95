using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using PSContainers.Core.State;

namespace PSContainers.Completers;

/// <summary>Tab completion of container names (from the records only, so it stays fast with many containers).</summary>
public sealed class ContainerNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var store = new ContainerStore(EnginePaths.FromEnvironment());
        var prefix = wordToComplete.Trim('\'', '"');
        return store.Ids()
            .Select(store.TryLoad)
            .Where(r => r is not null && r.Name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(r => r!.Name)
            .Order(StringComparer.Ordinal)
            .Select(n => new CompletionResult(n, n, CompletionResultType.ParameterValue, n))
            .ToList();
    }
}
