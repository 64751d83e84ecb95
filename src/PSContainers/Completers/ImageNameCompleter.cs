using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using PSContainers.Core.Images;
using PSContainers.Core.State;

namespace PSContainers.Completers;

/// <summary>Tab completion of image names as docker shows them (busybox:latest), from images.json only.</summary>
public sealed class ImageNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var prefix = wordToComplete.Trim('\'', '"');
        var store = new ImageStore(EnginePaths.FromEnvironment().ImagesDir);
        return store.Load()
            .SelectMany(r => r.Names)
            .Select(n => ImageReference.TryParse(n, out var r, out _) ? r.FamiliarName : n)
            .Where(n => n.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Distinct()
            .Order(StringComparer.Ordinal)
            .Select(n => new CompletionResult(n, n, CompletionResultType.ParameterValue, n))
            .ToList();
    }
}
