namespace PSContainers.Core.Build;

/// <summary>One line of build output: the step it belongs to ("[2/7] RUN make") and the text (a RUN's output or the builder's note).</summary>
public sealed record BuildOutputLine(string Step, string Text, string Stream)
{
    /// <summary>The Stream of a warning of the builder (the cmdlet writes it to the Warning stream).</summary>
    public const string WarningStream = "warning";

    public override string ToString() => Text;
}
