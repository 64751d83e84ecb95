namespace PSContainers.Logging;

/// <summary>The cmdlet streams log messages end up in; a PSCmdlet in pwsh, a recorder in tests.</summary>
public interface ICmdletStreamWriter
{
    void WriteVerbose(string text);

    void WriteDebug(string text);

    void WriteWarning(string text);
}
