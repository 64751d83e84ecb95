namespace PSContainers.Runtime.Spec;

/// <summary>A config.json (or related document) the runtime cannot use, with a message that says what to fix.</summary>
public sealed class SpecException : Exception
{
    public SpecException(string message) : base(message) { }

    public SpecException(string message, Exception inner) : base(message, inner) { }
}
