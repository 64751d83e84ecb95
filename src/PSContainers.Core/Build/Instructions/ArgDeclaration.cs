namespace PSContainers.Core.Build.Instructions;

/// <summary>One name of an ARG line, with its default (unexpanded) or null.</summary>
public sealed record ArgDeclaration(string Name, string? Default);
