using System.Collections;
using System.Collections.Concurrent;
using System.Management.Automation;
using PSContainers.Completers;
using PSContainers.Core.Build;
using PSContainers.Core.Images;

namespace PSContainers.Cmdlets;

/// <summary>Build-ContainerImage (docker build): builds an image from a Dockerfile and a context directory.</summary>
[Cmdlet("Build", "ContainerImage")]
[OutputType(typeof(ContainerImage))]
public sealed class BuildContainerImageCommand : ImageCmdletBase
{
    private readonly List<string> _fileInput = [];

    /// <summary>The build context directory.</summary>
    [Parameter(Position = 0)]
    [Alias("Context")]
    public string Path { get; set; } = ".";

    /// <summary>The Dockerfile: a path (relative to the current location), or Dockerfile text (lines from the pipeline are joined).</summary>
    [Parameter(ValueFromPipeline = true)]
    [Alias("Dockerfile")]
    public string? File { get; set; }

    /// <summary>Names for the image (several allowed).</summary>
    [Parameter]
    [Alias("t")]
    public string[] Tag { get; set; } = [];

    /// <summary>ARG values: a hashtable, or NAME=VALUE strings.</summary>
    [Parameter]
    public object? BuildArg { get; set; }

    /// <summary>The stage to build (its AS name or index).</summary>
    [Parameter]
    public string? Target { get; set; }

    [Parameter]
    public SwitchParameter NoCache { get; set; }

    /// <summary>Pull base images even when they are stored.</summary>
    [Parameter]
    public SwitchParameter Pull { get; set; }

    /// <summary>Labels for the image: a hashtable, or NAME=VALUE strings.</summary>
    [Parameter]
    public object? Label { get; set; }

    /// <summary>os/arch[/variant]; only this machine's platform.</summary>
    [Parameter]
    public string? Platform { get; set; }

    /// <summary>Secrets for RUN --mount=type=secret: id=ID,src=PATH (several allowed).</summary>
    [Parameter]
    public string[] Secret { get; set; } = [];

    /// <summary>default (the default bridge), host, none, or a network's name: the network RUN steps use.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(NetworkNameCompleter))]
    public string Network { get; set; } = "default";

    /// <summary>Write the image to an archive instead of the store: a path (OCI archive) or type=oci|docker,dest=PATH.</summary>
    [Parameter]
    public string? Output { get; set; }

    /// <summary>Do not show the steps' output on the Information stream.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    protected override void ProcessRecord()
    {
        if (File is not null)
        {
            _fileInput.Add(File);
        }
    }

    protected override void EndProcessing()
    {
        var request = new BuildRequest
        {
            ContextDirectory = GetUnresolvedProviderPathFromPSPath(Path),
            Tags = Tag.ToList(),
            BuildArgs = Pairs(BuildArg, nameof(BuildArg)),
            Target = Target,
            NoCache = NoCache,
            Pull = Pull,
            Labels = Pairs(Label, nameof(Label)),
            Platform = Platform,
            Network = Network,
        };
        SetDockerfile(request);
        foreach (var secret in Secret)
        {
            var fields = Fields(secret, nameof(Secret));
            if (!fields.TryGetValue("id", out var id) || !(fields.TryGetValue("src", out var src) || fields.TryGetValue("source", out src)))
            {
                ThrowTerminatingError(new ErrorRecord(new ArgumentException($"-Secret \"{secret}\" needs id=ID,src=PATH."), "InvalidArgument", ErrorCategory.InvalidArgument, secret));
                return;
            }

            request.Secrets[id] = GetUnresolvedProviderPathFromPSPath(src);
        }

        if (Output is { Length: > 0 } output)
        {
            SetOutput(request, output);
        }

        var lines = new ConcurrentQueue<BuildOutputLine>();
        BuildProgress? latest = null;
        var bar = new ProgressRecord(1, "Building " + (Tag.Length > 0 ? Tag[0] : "image"), "Starting");
        void Drain()
        {
            while (lines.TryDequeue(out var line))
            {
                if (line.Stream == BuildOutputLine.WarningStream)
                {
                    WriteWarning(line.Text);
                }
                else if (!Quiet)
                {
                    WriteInformation(new InformationRecord(line.Text, "Build-ContainerImage") { Tags = { "PSContainers.Build", line.Stream } });
                }
            }

            if (Interlocked.Exchange(ref latest, null) is { } p)
            {
                bar.StatusDescription = (p.Cached ? "(cached) " : "") + p.Description;
                bar.PercentComplete = p.Total > 0 ? Math.Clamp(100 * p.Step / p.Total, 0, 100) : -1;
                WriteProgress(bar);
            }
        }

        try
        {
            var image = RunWithLogging((log, ct) => new BuildService(logger: log).Build(request, lines.Enqueue, new InlineProgress(p => latest = p), ct), Drain);
            Drain();
            WriteObject(AsImageObject(image));
        }
        catch (Exception e) when (ToErrorRecord(e, request.DockerfilePath ?? request.ContextDirectory) is { } record)
        {
            Drain();
            WriteError(record);
        }
        finally
        {
            bar.RecordType = ProgressRecordType.Completed;
            WriteProgress(bar);
        }
    }

    private void SetDockerfile(BuildRequest request)
    {
        if (_fileInput.Count == 0)
        {
            return;
        }

        // One value naming an existing file is a path; anything else is Dockerfile text (Get-Content lines are joined).
        if (_fileInput.Count == 1 && !_fileInput[0].Contains('\n', StringComparison.Ordinal))
        {
            string? path = null;
            try
            {
                path = GetUnresolvedProviderPathFromPSPath(_fileInput[0]);
            }
            catch (Exception e) when (e is System.Management.Automation.DriveNotFoundException or ProviderNotFoundException or PSArgumentException)
            {
                // "FROM busybox:1" reads as a path on a drive named "FROM busybox": it is Dockerfile text.
            }

            if (path is not null && (System.IO.File.Exists(path) || !LooksLikeDockerfile(_fileInput[0])))
            {
                request.DockerfilePath = path;
                return;
            }
        }

        request.DockerfileText = string.Join('\n', _fileInput);
    }

    private static bool LooksLikeDockerfile(string text)
    {
        var first = text.TrimStart();
        return first.StartsWith('#') || first.StartsWith("FROM ", StringComparison.OrdinalIgnoreCase) || first.StartsWith("ARG ", StringComparison.OrdinalIgnoreCase);
    }

    private void SetOutput(BuildRequest request, string output)
    {
        var format = ImageArchiveFormat.OciArchive;
        var dest = output;
        if (output.Contains('=', StringComparison.Ordinal))
        {
            var fields = Fields(output, nameof(Output));
            format = fields.GetValueOrDefault("type", "oci") switch
            {
                "oci" => ImageArchiveFormat.OciArchive,
                "docker" => ImageArchiveFormat.DockerArchive,
                var other => throw new PSArgumentException($"-Output type={other}: the types are oci and docker (archives); to keep the image in the store, leave -Output out."),
            };
            dest = fields.GetValueOrDefault("dest") ?? throw new PSArgumentException("-Output needs dest=PATH.");
        }

        request.OutputPath = GetUnresolvedProviderPathFromPSPath(dest);
        request.OutputFormat = format;
    }

    private static Dictionary<string, string> Fields(string text, string parameter)
    {
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0)
            {
                throw new PSArgumentException($"-{parameter} \"{text}\": \"{part}\" is not KEY=VALUE.");
            }

            fields[part[..eq].Trim()] = part[(eq + 1)..].Trim();
        }

        return fields;
    }

    private static Dictionary<string, string> Pairs(object? value, string parameter)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var unwrapped = value is PSObject o ? o.BaseObject : value;
        switch (unwrapped)
        {
            case null:
                break;
            case IDictionary table:
                foreach (DictionaryEntry entry in table)
                {
                    result[entry.Key.ToString()!] = entry.Value?.ToString() ?? "";
                }

                break;
            case string single:
                AddPair(result, single, parameter);
                break;
            case IEnumerable items:
                foreach (var item in items)
                {
                    AddPair(result, item?.ToString() ?? "", parameter);
                }

                break;
            default:
                AddPair(result, unwrapped.ToString() ?? "", parameter);
                break;
        }

        return result;
    }

    private static void AddPair(Dictionary<string, string> result, string text, string parameter)
    {
        var eq = text.IndexOf('=');
        if (eq <= 0)
        {
            throw new PSArgumentException($"-{parameter} \"{text}\" is not NAME=VALUE; give NAME=VALUE strings or a hashtable.");
        }

        result[text[..eq]] = text[(eq + 1)..];
    }

    private sealed class InlineProgress(Action<BuildProgress> report) : IProgress<BuildProgress>
    {
        public void Report(BuildProgress value) => report(value);
    }
}
