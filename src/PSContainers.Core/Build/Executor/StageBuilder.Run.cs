using PSContainers.Core.Build.Cache;
using PSContainers.Core.Build.Instructions;
using PSContainers.Core.Containers;
using PSContainers.Core.Images;

namespace PSContainers.Core.Build.Executor;

internal sealed partial class StageBuilder
{
    private void Run(RunInstruction run, string step, CancellationToken cancellationToken)
    {
        // --mount values expand with the stage's ARGs and ENVs, as BuildKit does (the command itself is the shell's).
        run = (RunInstruction)_vars.Expand(run);
        var command = RunCommand(run);
        var args = _vars.CacheKeyArgs;
        // podman's (and docker's classic builder's) created_by: "|N K=V ... /bin/sh -c SCRIPT" when ARGs are in scope.
        var createdBy = (args.Count > 0 ? $"|{args.Count} {string.Join(' ', args)} " : "") + string.Join(' ', command);
        // podman's created_by: the ARGs by name, the shell and the instruction's text as written (flags and exec form included).
        // An ENV of the same name shadows an ARG: podman shows the value the step sees.
        var scope = _vars.Scope;
        var shown = args.Select(a => a[..a.IndexOf('=')]).Order(StringComparer.Ordinal).Select(n => $"{n}={scope.GetValueOrDefault(n, "")}").ToList();
        var historyText = (shown.Count > 0 ? $"|{shown.Count} {string.Join(' ', shown)} " : "") + string.Join(' ', Shell()) + " " + RunText(run);
        var keyText = "RUN " + createdBy + MountsKey(run) + (run.Network == RunNetwork.Default ? "" : " --network=" + run.Network.ToString().ToLowerInvariant());
        var key = BuildCache.Key(_state.Key, keyText, args.Select(a => new KeyValuePair<string, string>(a[..a.IndexOf('=')], a[(a.IndexOf('=') + 1)..])), null);
        if (TryCached(key, step))
        {
            return;
        }

        var request = new ContainerCreateRequest
        {
            Command = command,
            Environment = _vars.RunEnvironment.Select(e => e.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "", StringComparer.Ordinal),
            WorkingDirectory = string.IsNullOrEmpty(_state.Run.WorkingDir) ? null : _state.Run.WorkingDir,
            User = string.IsNullOrEmpty(_state.Run.User) ? null : _state.Run.User,
            Network = NetworkOf(run),
            Labels = new Dictionary<string, string> { ["io.pscontainers.build.step"] = step },
        };
        using var mounts = RunMounts.Prepare(_session, this, run, request, step, cancellationToken);
        if (ShebangHeredoc(run) is { } script)
        {
            request.Command = [mounts.Script(_session, request, script)];
        }

        var runner = new BuildContainerRun(_session.Containers, _session.Images, _session.Log);
        var layers = _state.Layers.Select(l => Digest.Parse(l.ChainId)).ToList();
        var (temp, lockFd) = runner.Run(request, layers, step, line => _session.Output(new BuildOutputLine(step, line.Text, line.Stream)), cancellationToken);
        try
        {
            // The runtime bind-mounts resolv.conf, hosts (and hostname on a container network): empty files made for them go too.
            var targets = mounts.Targets.Concat(NetworkMountTargets(NetworkOf(run))).ToList();
            RunMounts.RemoveMountPoints(Path.Combine(temp, "fs"), _state.Layers, targets, new SnapshotLookup(_session.Images.Snapshots));
        }
        catch
        {
            _session.Images.Snapshots.EndTemp(temp, lockFd);
            throw;
        }

        CommitLayer(temp, lockFd, key, historyText, step, cancellationToken);
    }

    /// <summary>RUN &lt;&lt;EOF alone whose body starts with #!: BuildKit runs the body as a program, not through the shell.</summary>
    private static Heredoc? ShebangHeredoc(RunInstruction run) =>
        run.PrependShell && run.Heredocs.Count == 1 && run.Command[0].Trim() is var text && text.StartsWith("<<", StringComparison.Ordinal)
            && !text.Contains(' ', StringComparison.Ordinal) && run.Heredocs[0].Content.StartsWith("#!", StringComparison.Ordinal)
            ? run.Heredocs[0]
            : null;

    /// <summary>What follows the RUN keyword in the Dockerfile, continuations joined.</summary>
    private static string RunText(RunInstruction run)
    {
        var text = run.Original.TrimStart();
        return text.Length > 3 ? text[3..].TrimStart() : run.Command[0];
    }

    /// <summary>The argv of a RUN: exec form as written; shell form through SHELL, heredocs given to the shell as written (it expands them) or run as the script.</summary>
    private List<string> RunCommand(RunInstruction run)
    {
        if (!run.PrependShell)
        {
            return run.Command.ToList();
        }

        var script = run.Command[0];
        if (run.Heredocs.Count > 0)
        {
            var trimmed = script.Trim();
            if (run.Heredocs.Count == 1 && trimmed.StartsWith("<<", StringComparison.Ordinal) && !trimmed.Contains(' ', StringComparison.Ordinal))
            {
                // RUN <<EOF: the body is the script.
                script = run.Heredocs[0].Content;
            }
            else
            {
                var text = new System.Text.StringBuilder(script).Append('\n');
                foreach (var heredoc in run.Heredocs)
                {
                    text.Append(heredoc.Content);
                    if (heredoc.Content.Length > 0 && !heredoc.Content.EndsWith('\n'))
                    {
                        text.Append('\n');
                    }

                    text.Append(heredoc.Name).Append('\n');
                }

                script = text.ToString();
            }
        }

        return [.. Shell(), script];
    }

    private static string MountsKey(RunInstruction run) =>
        string.Concat(run.Mounts.Select(m => $" --mount=type={m.Type},target={m.Target},source={m.Source},from={m.From},id={m.Id},ro={m.ReadOnly},mode={m.Mode},uid={m.Uid},gid={m.Gid},size={m.Size},sharing={m.Sharing},env={m.Env}"));

    /// <summary>
    /// The network of a RUN: its --network, else the build's -Network. "default" is the engine's default bridge, as
    /// docker build's RUN uses docker's default network; "" asks the container service for it.
    /// </summary>
    private string NetworkOf(RunInstruction run) => run.Network switch
    {
        RunNetwork.None => "none",
        RunNetwork.Host => "host",
        _ => _session.Request.Network is "default" or "" ? "" : _session.Request.Network,
    };

    /// <summary>Files the runtime bind-mounts over the rootfs for a network: the empty files it makes for them stay out of the layer.</summary>
    private static IEnumerable<string> NetworkMountTargets(string network) => network switch
    {
        "none" => [],
        "host" => ["/etc/resolv.conf", "/etc/hosts"],
        _ => ["/etc/resolv.conf", "/etc/hosts", "/etc/hostname"],
    };
}
