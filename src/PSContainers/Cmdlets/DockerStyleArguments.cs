using System.Management.Automation;
using System.Management.Automation.Language;

namespace PSContainers.Cmdlets;

/// <summary>
/// Refuses docker-style flags (-v, --rm, -it, -e X=1) that are not parameters of the cmdlet, so they never become
/// part of a container's command, and names the parameter to use instead.
/// </summary>
/// <remarks>
/// PowerShell hands an unknown `-x` or `--x` to the ValueFromRemainingArguments parameter (the command) and binds a
/// short flag that is a prefix of one parameter to that parameter (`-t` would be -Tmpfs). The short flags docker users
/// type are therefore aliases of one hidden switch, and the leading words of the command are
/// checked here. A cmdlet declares the switch as `[Parameter(DontShow = true)] [Alias(...)] SwitchParameter DockerStyleFlag`. Only the invocation's own text tells `Invoke-Container img --rm sh` from `Invoke-Container img -- --rm`:
/// both bind the same strings, so the statement is parsed to find an explicit `--`.
/// </remarks>
public static class DockerStyleArguments
{

    // docker's flag (without dashes) -> our parameter, where the name is not simply the flag in PascalCase.
    private static readonly Dictionary<string, string> Renamed = new(StringComparer.Ordinal)
    {
        ["v"] = "Volume", ["e"] = "Environment", ["env"] = "Environment", ["p"] = "Publish", ["P"] = "PublishAll",
        ["d"] = "Detach", ["i"] = "Interactive", ["t"] = "Interactive", ["it"] = "Interactive", ["ti"] = "Interactive",
        ["tty"] = "Interactive", ["u"] = "User", ["w"] = "WorkingDirectory", ["workdir"] = "WorkingDirectory", ["m"] = "Memory",
        ["c"] = "CpuShares", ["rm"] = "Remove", ["net"] = "Network", ["ip"] = "IPAddress", ["h"] = "Hostname", ["l"] = "Label",
        ["dns-opt"] = "DnsOption", ["network-alias"] = "NetworkAlias", ["net-alias"] = "NetworkAlias", ["publish-all"] = "PublishAll",
        ["label"] = "Label", ["volume"] = "Volume", ["ulimit"] = "ULimit", ["security-opt"] = "SecurityOpt",
        ["userns"] = "UserNS", ["uidmap"] = "UidMap", ["gidmap"] = "GidMap",
    };

    /// <summary>
    /// Throws a terminating InvalidArgument error when a trap alias was bound or the command starts with a flag that did not
    /// come after an explicit `--`.
    /// </summary>
    public static void Check(PSCmdlet cmdlet, IReadOnlyList<string> command, string? image = null)
    {
        var trapBound = cmdlet.MyInvocation.BoundParameters.ContainsKey("DockerStyleFlag");
        IReadOnlyList<string> trapAliases = cmdlet.MyInvocation.MyCommand.Parameters.TryGetValue("DockerStyleFlag", out var trap) ? [.. trap.Aliases] : [];
        var invocation = cmdlet.MyInvocation;
        var ast = FindCommandAst(invocation);
        var known = invocation.MyCommand.Parameters;
        var flags = new List<string>();
        if (trapBound)
        {
            var typed = ast?.CommandElements.OfType<CommandParameterAst>()
                .Select(p => p.ParameterName)
                .FirstOrDefault(n => trapAliases.Contains(n, StringComparer.OrdinalIgnoreCase));
            // Called through the API or a splat: the alias itself cannot be seen, only that one was used.
            flags.Add(typed is null ? UnknownShortFlag : "-" + typed);
        }

        // `Invoke-Container --rm busybox sh` binds '--rm' positionally as the image; no image name starts with '-'.
        if (image is not null && IsFlag(image))
        {
            flags.Add(image);
        }

        var afterDoubleDash = ArgumentsAfterDoubleDash(ast);
        // Words from an explicit `--` on are the user's command even when they start with '-'.
        var checkable = afterDoubleDash is { } n ? Math.Max(0, command.Count - n) : command.Count;
        for (var i = 0; i < checkable && IsFlag(command[i]); i++)
        {
            flags.Add(command[i]);
        }

        if (flags.Count == 0)
        {
            return;
        }

        var advice = flags.Select(f => Advice(f, known, trapAliases, cmdlet.MyInvocation.MyCommand.Name));
        var example = image is null ? $"{invocation.MyCommand.Name} web -- ls -l" : $"{invocation.MyCommand.Name} busybox -- ls -l";
        var message = $"{string.Join(" ", advice)} The command follows the {(image is null ? "container" : "image")}, or `--` when it starts with '-' (e.g. {example}).";
        cmdlet.ThrowTerminatingError(new ErrorRecord(new ArgumentException(message), "DockerStyleFlag", ErrorCategory.InvalidArgument, flags[0]));
    }

    private const string UnknownShortFlag = "-?";

    private static bool IsFlag(string word) => word.Length > 1 && word[0] == '-';

    private static string Advice(string flag, Dictionary<string, ParameterMetadata> known, IEnumerable<string> trapAliases, string cmdletName)
    {
        if (flag == UnknownShortFlag)
        {
            return $"A docker-style short flag (one of -{string.Join(", -", trapAliases)}) is not a parameter of {cmdletName}: give the parameter's full name " +
                $"({string.Join(", ", trapAliases.Select(a => Renamed.GetValueOrDefault(a, "")).Where(known.ContainsKey).Distinct().Select(p => "-" + p))}).";
        }

        var bare = flag.TrimStart('-');
        var eq = bare.IndexOf('=');
        if (eq >= 0)
        {
            bare = bare[..eq];
        }

        var target = Renamed.TryGetValue(bare, out var renamed) ? renamed : PascalCase(bare);
        if (target.Length > 0 && known.ContainsKey(target))
        {
            return $"'{flag}' is not a parameter of {cmdletName}: docker's {DockerName(bare)} is -{known[target].Name} here.";
        }

        if (bare is "it" or "ti" or "i" or "t" or "interactive" or "tty" && cmdletName == "Enter-Container")
        {
            return $"'{flag}' is not a parameter of {cmdletName}: it always runs on a terminal (as docker exec -it does), so leave the flag out.";
        }

        if (bare is "i" or "interactive" && known.ContainsKey("InputObject"))
        {
            return $"'{flag}' is not a parameter of {cmdletName}: what docker exec -i reads from stdin is piped in here ('text' | {cmdletName} ID -- cat), or given as -InputObject.";
        }

        if (bare is "it" or "ti" or "i" or "t" or "interactive" or "tty" && !known.ContainsKey("Interactive"))
        {
            return $"'{flag}' is not a parameter of {cmdletName}: Enter-Container runs a command on a terminal (docker exec -it), Invoke-Container -Interactive a container (docker run -it).";
        }

        if (bare is "d" or "detach")
        {
            return $"'{flag}' is not a parameter of {cmdletName}: it never starts the container; Invoke-Container -Detach runs one in the background.";
        }

        return $"'{flag}' is not a parameter of {cmdletName}; Get-Help {cmdletName} -Parameter * lists its parameters.";
    }

    private static string DockerName(string bare) => bare.Length <= 2 && bare is not ("ip" or "rm") ? "-" + bare : "--" + bare;

    /// <summary>cpuset-cpus -> CpusetCpus: most of docker run's long flags are our parameter names in kebab case.</summary>
    private static string PascalCase(string kebab) =>
        string.Concat(kebab.Split('-', StringSplitOptions.RemoveEmptyEntries).Select(p => char.ToUpperInvariant(p[0]) + p[1..]));

    /// <summary>The command as typed, when the invocation has a statement (not when called through the API).</summary>
    private static CommandAst? FindCommandAst(InvocationInfo invocation)
    {
        // Statement (the command's own text) is PowerShell 7's; the 5.1 reference assemblies this module compiles against lack it.
        var statement = PSObject.AsPSObject(invocation).Properties["Statement"]?.Value as string;
        if (string.IsNullOrEmpty(statement))
        {
            return null;
        }

        var parsed = Parser.ParseInput(statement, out _, out _);
        return parsed.Find(a => a is CommandAst c && string.Equals(c.GetCommandName(), invocation.InvocationName, StringComparison.OrdinalIgnoreCase), true) as CommandAst;
    }

    /// <summary>How many arguments follow an explicit `--` in the command as typed, or null when it has none.</summary>
    private static int? ArgumentsAfterDoubleDash(CommandAst? ast)
    {
        if (ast is null)
        {
            return null;
        }

        var elements = ast.CommandElements;
        for (var i = 1; i < elements.Count; i++)
        {
            if (elements[i] is CommandParameterAst { Extent.Text: "--" })
            {
                // A splatted array or an array literal after `--` can stand for several words: count none, so they are checked.
                return elements.Skip(i + 1).Any(e => e is not (StringConstantExpressionAst or ExpandableStringExpressionAst or ConstantExpressionAst))
                    ? 0
                    : elements.Count - i - 1;
            }
        }

        return null;
    }
}
