using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using PSContainers.Core.Registry;

namespace PSContainers.Completers;

/// <summary>Tab completion of registries from the logins stored in auth.json.</summary>
public sealed class RegistryLoginCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var prefix = wordToComplete.Trim('\'', '"');
        IReadOnlyList<string> keys;
        try
        {
            keys = RegistryAuthFile.FromEnvironment().Keys();
        }
        catch (Core.Containers.ContainerEngineException)
        {
            // An unreadable auth file completes nothing; the command itself will say what is wrong.
            return [];
        }

        return keys.Where(k => k.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .Select(k => new CompletionResult(k, k, CompletionResultType.ParameterValue, k))
            .ToList();
    }
}
