using PSContainers.Logging;

namespace PSContainers.Tests.Logging;

/// <summary>Records what would have gone to each cmdlet stream, and on which thread.</summary>
public sealed class RecordingStreamWriter : ICmdletStreamWriter
{
    public List<(string Stream, string Text, int ThreadId)> Lines { get; } = [];

    public Exception? ThrowOnWrite { get; set; }

    public void WriteVerbose(string text) => Add("Verbose", text);

    public void WriteDebug(string text) => Add("Debug", text);

    public void WriteWarning(string text) => Add("Warning", text);

    private void Add(string stream, string text)
    {
        if (ThrowOnWrite is not null)
        {
            throw ThrowOnWrite;
        }

        Lines.Add((stream, text, Environment.CurrentManagedThreadId));
    }
}
