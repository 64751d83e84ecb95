namespace PSContainers.Core.Build.Parser;

/// <summary>The outcome of expanding one word: the text, the same split into words, and which variable names were found or not.</summary>
public sealed record WordExpansion(string Result, IReadOnlyList<string> Words, IReadOnlySet<string> Matched, IReadOnlySet<string> Unmatched);
