using System.Management.Automation;

namespace PSContainers.Cmdlets;

// Input checks of the create cmdlets: docker run's short flags are refused with the parameter to use (DockerStyleArguments),
// never run as the command; an -EnvFile that cannot be read is an error that names it.
public abstract partial class ContainerCreateCmdletBase
{
    /// <summary>Not for use: catches docker run's short flags (-v, -e, -p, ...) so that they give an error naming the parameter to use.</summary>
    [Parameter(DontShow = true)]
    [Alias("v", "e", "p", "d", "i", "t", "u", "w", "m", "c")]
    public SwitchParameter DockerStyleFlag { get; set; }

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        DockerStyleArguments.Check(this, Command, ParameterSetName == ImageSet ? Image : null);
    }

    /// <summary>The lines of -EnvFile; a file that is missing or unreadable stops the cmdlet with an error naming it.</summary>
    private string[] ReadEnvFile(string envFile)
    {
        var path = GetUnresolvedProviderPathFromPSPath(envFile);
        try
        {
            return File.ReadAllLines(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            ThrowTerminatingError(new ErrorRecord(new FileNotFoundException($"-EnvFile {envFile}: no such file ({path}).", path, e), "EnvFileNotFound", ErrorCategory.ObjectNotFound, envFile));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ThrowTerminatingError(new ErrorRecord(new IOException($"-EnvFile {envFile} cannot be read: {e.Message}", e), "EnvFileNotReadable", ErrorCategory.ReadError, envFile));
        }

        return [];
    }
}
