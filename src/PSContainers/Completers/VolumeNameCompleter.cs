using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using PSContainers.Core.State;
using PSContainers.Core.Volumes;

namespace PSContainers.Completers;

/// <summary>Tab completion of volume names (from the volume records only).</summary>
public sealed class VolumeNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var store = new VolumeStore(EnginePaths.FromEnvironment());
        var prefix = wordToComplete.Trim('\'', '"');
        return store.List()
            .Where(v => v.Name.StartsWith(prefix, StringComparison.Ordinal))
            .Select(v => new CompletionResult(v.Name, v.Name, CompletionResultType.ParameterValue, v.Anonymous ? v.Name + " (anonymous)" : v.Name))
            .ToList();
    }
}
