namespace PSContainers.Core.Build.Parser;

/// <summary>A word that cannot be expanded (bad substitution, unmatched quote, ${X?} on an unset X); the caller adds file and line.</summary>
public sealed class WordExpansionException(string message) : Exception(message);
