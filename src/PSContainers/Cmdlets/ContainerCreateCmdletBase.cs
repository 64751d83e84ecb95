using System.Collections;
using System.Management.Automation;
using PSContainers.Core.Containers;

namespace PSContainers.Cmdlets;

/// <summary>The docker-run parameters New-Container and Invoke-Container share, and the create request they make.</summary>
public abstract partial class ContainerCreateCmdletBase : ContainerCmdletBase
{
    public const string ImageSet = "Image";
    public const string RootFsSet = "RootFs";

    /// <summary>
    /// The image (busybox, localhost:5000/app:1, an id). The first positional argument binds here; a value that is a
    /// path (starts with /, ./, ../ or ~, or is .) is taken as -RootFs, so `Invoke-Container ./rootfs -- sh` still works.
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ImageSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(Completers.ImageNameCompleter))]
    public string Image { get; set; } = "";

    /// <summary>An unpacked root filesystem directory; it is never modified (writes go to the container's own layer).</summary>
    [Parameter(Mandatory = true, ParameterSetName = RootFsSet)]
    [ValidateNotNullOrEmpty]
    public string RootFs { get; set; } = "";

    /// <summary>Replaces the image's ENTRYPOINT (and drops its CMD), as docker run --entrypoint; '' clears it.</summary>
    [Parameter]
    public string[]? Entrypoint { get; set; }

    /// <summary>os/arch[/variant] the image must be for.</summary>
    [Parameter]
    public string? Platform { get; set; }

    /// <summary>What the container is made from, for messages and ShouldProcess.</summary>
    protected string Source => ParameterSetName == RootFsSet ? RootFs : Image;

    /// <summary>Whether a positional value names a directory rather than an image.</summary>
    protected static bool LooksLikePath(string value) =>
        value is "." or ".." || value.StartsWith('/') || value.StartsWith("./", StringComparison.Ordinal) || value.StartsWith("../", StringComparison.Ordinal) || value.StartsWith('~');

    /// <summary>The command and its arguments; the remaining arguments bind here.</summary>
    [Parameter(Position = 1, ValueFromRemainingArguments = true)]
    public string[] Command { get; set; } = [];

    [Parameter]
    public string? Name { get; set; }

    /// <summary>Memory limit in bytes (64MB works).</summary>
    [Parameter]
    [ValidateRange(1, long.MaxValue)]
    public long Memory { get; set; }

    /// <summary>Memory plus swap in bytes; -1 for unlimited swap.</summary>
    [Parameter]
    public long MemorySwap { get; set; }

    [Parameter]
    public double Cpus { get; set; }

    [Parameter]
    public ulong CpuShares { get; set; }

    [Parameter]
    public string? CpusetCpus { get; set; }

    [Parameter]
    public long PidsLimit { get; set; }

    [Parameter]
    public ushort BlkioWeight { get; set; }

    /// <summary>name=soft[:hard], e.g. nofile=1024:2048.</summary>
    [Parameter]
    public string[] ULimit { get; set; } = [];

    /// <summary>uid[:gid] or a user[:group] name from the root filesystem.</summary>
    [Parameter]
    public string? User { get; set; }

    [Parameter]
    public string? WorkingDirectory { get; set; }

    [Parameter]
    public Hashtable? Environment { get; set; }

    /// <summary>A file of NAME=VALUE lines (# comments and blank lines are skipped); -Environment wins over it.</summary>
    [Parameter]
    public string? EnvFile { get; set; }

    [Parameter]
    public string? Hostname { get; set; }

    [Parameter]
    public SwitchParameter ReadOnly { get; set; }

    [Parameter]
    public string[] CapAdd { get; set; } = [];

    [Parameter]
    public string[] CapDrop { get; set; } = [];

    [Parameter]
    public SwitchParameter Privileged { get; set; }

    /// <summary>docker's --security-opt: seccomp=unconfined|PATH, no-new-privileges[=true|false], apparmor=unconfined, label=disable.</summary>
    [Parameter]
    public string[] SecurityOpt { get; set; } = [];

    /// <summary>host (default), auto, auto:size=N or private: a user namespace whose root is an unprivileged host uid (docker's and podman's --userns).</summary>
    [Parameter]
    public string? UserNS { get; set; }

    /// <summary>CONTAINER:HOST:SIZE ranges of a user namespace (podman's --uidmap).</summary>
    [Parameter]
    public string[] UidMap { get; set; } = [];

    /// <summary>CONTAINER:HOST:SIZE group ranges (podman's --gidmap); the -UidMap ranges when left out.</summary>
    [Parameter]
    public string[] GidMap { get; set; } = [];

    /// <summary>Run a small init (psc-init) as PID 1 that forwards signals to the command and reaps orphans (docker run --init).</summary>
    [Parameter]
    public SwitchParameter Init { get; set; }

    [Parameter]
    public Hashtable? Label { get; set; }

    [Parameter]
    public string? StopSignal { get; set; }

    /// <summary>Seconds Stop-Container waits after the stop signal before SIGKILL.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int StopTimeout { get; set; } = -1;

    /// <summary>no, on-failure[:N], always or unless-stopped.</summary>
    [Parameter]
    public string? Restart { get; set; }

    // Volumes and mounts.

    /// <summary>[SOURCE:]DESTINATION[:MODE] as docker run -v: a volume name, a host path (absolute or ./relative) or nothing (an anonymous volume).</summary>
    [Parameter]
    public string[] Volume { get; set; } = [];

    /// <summary>type=bind|volume|tmpfs,source=…,target=…,… as docker run --mount.</summary>
    [Parameter]
    public string[] Mount { get; set; } = [];

    /// <summary>DESTINATION[:OPTIONS] as docker run --tmpfs.</summary>
    [Parameter]
    public string[] Tmpfs { get; set; } = [];

    /// <summary>CONTAINER[:ro|rw]: that container's volumes and binds at the same paths.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(Completers.ContainerNameCompleter))]
    public string[] VolumesFrom { get; set; } = [];

    /// <summary>Size of /dev/shm in bytes (64MB works); docker's default is 64 MB.</summary>
    [Parameter]
    [ValidateRange(1, long.MaxValue)]
    public long ShmSize { get; set; }

    protected ContainerCreateRequest BuildRequest(bool autoRemove)
    {
        var request = new ContainerCreateRequest
        {
            Name = Name,
            Command = [.. Command],
            Entrypoint = Entrypoint is null ? null : [.. Entrypoint],
            Platform = Platform,
            WorkingDirectory = WorkingDirectory,
            User = User,
            Hostname = Hostname,
            ReadOnly = ReadOnly,
            CapAdd = [.. CapAdd],
            CapDrop = [.. CapDrop],
            Privileged = Privileged,
            SecurityOpt = [.. SecurityOpt],
            UserNS = UserNS,
            UidMap = [.. UidMap],
            GidMap = [.. GidMap],
            Init = Init,
            StopSignal = StopSignal,
            StopTimeoutSeconds = StopTimeout >= 0 ? StopTimeout : null,
            Restart = Restart,
            AutoRemove = autoRemove,
            Ulimits = [.. ULimit],
            Volumes = [.. Volume],
            Mounts = [.. Mount],
            Tmpfs = [.. Tmpfs],
            VolumesFrom = [.. VolumesFrom],
            ShmSize = MyInvocation.BoundParameters.ContainsKey(nameof(ShmSize)) ? ShmSize : null,
            // Relative bind sources mean PowerShell's current location, which is not the process's working directory.
            MountBaseDirectory = SessionState.Path.CurrentFileSystemLocation.ProviderPath,
        };
        if (ParameterSetName == RootFsSet || LooksLikePath(Image))
        {
            request.RootFs = GetUnresolvedProviderPathFromPSPath(ParameterSetName == RootFsSet ? RootFs : Image);
        }
        else
        {
            request.Image = Image;
        }

        var bound = MyInvocation.BoundParameters;
        request.Resources = new ContainerResources
        {
            Memory = bound.ContainsKey(nameof(Memory)) ? Memory : null,
            MemorySwap = bound.ContainsKey(nameof(MemorySwap)) ? MemorySwap : null,
            Cpus = bound.ContainsKey(nameof(Cpus)) ? Cpus : null,
            CpuShares = bound.ContainsKey(nameof(CpuShares)) ? CpuShares : null,
            CpusetCpus = CpusetCpus,
            PidsLimit = bound.ContainsKey(nameof(PidsLimit)) ? PidsLimit : null,
            BlkioWeight = bound.ContainsKey(nameof(BlkioWeight)) ? BlkioWeight : null,
        };
        if (EnvFile is not null)
        {
            foreach (var line in ReadEnvFile(EnvFile))
            {
                var trimmed = line.Trim();
                if (trimmed.Length == 0 || trimmed.StartsWith('#'))
                {
                    continue;
                }

                var eq = trimmed.IndexOf('=');
                // docker: a bare NAME takes its value from the caller's environment.
                if (eq < 0)
                {
                    if (System.Environment.GetEnvironmentVariable(trimmed) is { } value)
                    {
                        request.Environment[trimmed] = value;
                    }
                }
                else
                {
                    request.Environment[trimmed[..eq]] = trimmed[(eq + 1)..];
                }
            }
        }

        foreach (DictionaryEntry e in Environment ?? [])
        {
            request.Environment[e.Key.ToString()!] = e.Value?.ToString() ?? "";
        }

        foreach (DictionaryEntry e in Label ?? [])
        {
            request.Labels[e.Key.ToString()!] = e.Value?.ToString() ?? "";
        }

        ApplyNetworkParameters(request);
        ApplyHealthParameters(request);
        ApplyIdentityParameters(request);
        ApplyHostParameters(request);
        return request;
    }
}
