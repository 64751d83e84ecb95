namespace PSContainers.Core.Build.Instructions;

/// <summary>One NAME=VALUE of ENV or LABEL; both unexpanded until the builder expands them (quotes still in the text).</summary>
public sealed record KeyValue(string Key, string Value);
