using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using PSContainers.Core.Containers;
using PSContainers.Core.State;

namespace PSContainers.Core.Network;

/// <summary>
/// The packet rules of one engine root's networks, kept per network and not per container (as netavark keeps them):
/// masquerade of each non-internal subnet, and a forward chain that lets a bridge's own traffic, replies and
/// published (DNAT) connections in, drops everything else that enters a bridge from elsewhere (networks cannot
/// reach each other), and lets a non-internal network out. One filter chain and one nat chain per root, jumped to
/// from FORWARD and POSTROUTING, rewritten whole by iptables-restore whenever the set of networks changes; a
/// container's start runs no iptables at all. The rules are in iptables (nft backend here) rather than an nftables
/// table of their own so that a host whose FORWARD policy is DROP (one with Docker installed) still forwards.
/// </summary>
public sealed class NetworkFirewall
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);
    private readonly EnginePaths _paths;
    private readonly ILogger _log;

    public NetworkFirewall(EnginePaths paths, ILogger log)
    {
        _paths = paths;
        _log = log;
        var suffix = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(paths.Root)))[..10];
        FilterChain = "PSC-FWD-" + suffix;
        NatChain = "PSC-NAT-" + suffix;
    }

    /// <summary>The root's forward chain (filter table), jumped to from the top of FORWARD.</summary>
    public string FilterChain { get; }

    /// <summary>The root's masquerade chain (nat table), jumped to from POSTROUTING.</summary>
    public string NatChain { get; }

    /// <summary>What the rules were last written from, on the run root: gone after a reboot, so they are written again.</summary>
    private string MarkerFile => Path.Combine(_paths.RunRoot, "networks", "firewall.rules");

    /// <summary>The jump rules carry the root in a comment, so that what a removed root left can be found.</summary>
    private string JumpComment => "pscontainers " + (_paths.Root.Length > 200 ? _paths.Root[..200] : _paths.Root);

    /// <summary>
    /// The iptables-restore text for the networks. Order matters across networks: every accept of traffic into a
    /// bridge comes before any bridge's drop, and the drops before any bridge's way out, so no network's "out" rule
    /// can let its traffic into another network.
    /// </summary>
    public string RulesText(IReadOnlyList<ContainerNetwork> networks)
    {
        var ordered = networks.OrderBy(n => n.Name, StringComparer.Ordinal).ToList();
        var text = new StringBuilder();
        text.Append("*filter\n").Append(':').Append(FilterChain).Append(" - [0:0]\n");
        foreach (var n in ordered)
        {
            text.Append($"-A {FilterChain} -i {n.Bridge} -o {n.Bridge} -j ACCEPT\n");
            text.Append($"-A {FilterChain} -o {n.Bridge} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n");
            text.Append($"-A {FilterChain} -o {n.Bridge} -m conntrack --ctstate DNAT -j ACCEPT\n");
        }

        foreach (var n in ordered)
        {
            text.Append($"-A {FilterChain} -o {n.Bridge} -j DROP\n");
        }

        foreach (var n in ordered)
        {
            // Out to anything but another engine bridge (that bridge's own chain decides, in whichever root it is).
            text.Append(n.Internal ? $"-A {FilterChain} -i {n.Bridge} -j DROP\n" : $"-A {FilterChain} -i {n.Bridge} ! -o psc+ -j ACCEPT\n");
        }

        text.Append("COMMIT\n*nat\n").Append(':').Append(NatChain).Append(" - [0:0]\n");
        foreach (var n in ordered.Where(n => !n.Internal))
        {
            text.Append($"-A {NatChain} -s {n.Subnet} ! -o {n.Bridge} -j MASQUERADE\n");
        }

        text.Append("COMMIT\n");
        return text.ToString();
    }

    /// <summary>
    /// Writes the rules for the networks unless the run root says they are written already; the caller holds the
    /// networks lock. Cheap when nothing changed: one small file read.
    /// </summary>
    public void Ensure(IReadOnlyList<ContainerNetwork> networks)
    {
        var text = networks.Count == 0 ? "" : RulesText(networks);
        var marker = MarkerFile;
        if (IsWritten(text))
        {
            return;
        }

        if (networks.Count == 0)
        {
            RemoveAll();
            if (File.Exists(marker))
            {
                File.Delete(marker);
            }

            return;
        }

        var started = Stopwatch.StartNew();
        // --noflush: the declared chains are flushed and refilled, nothing else in the tables changes.
        Run("iptables-restore", ["--noflush", "--wait"], text);
        EnsureJump("filter", "FORWARD", FilterChain, insert: true);
        EnsureJump("nat", "POSTROUTING", NatChain, insert: false);
        Directory.CreateDirectory(Path.GetDirectoryName(marker)!);
        AtomicFile.WriteAllText(marker, text);
        _log.LogDebug("network rules of {Count} network(s) written in {Ms:F1} ms", networks.Count, started.Elapsed.TotalMilliseconds);
    }

    /// <summary>Whether the run root records these networks' rules as written: a start needs no lock and no iptables then.</summary>
    public bool IsWritten(IReadOnlyList<ContainerNetwork> networks) => IsWritten(networks.Count == 0 ? "" : RulesText(networks));

    private bool IsWritten(string text) => File.Exists(MarkerFile) && File.ReadAllText(MarkerFile) == text;

    /// <summary>Removes the root's chains and the jumps to them (the last network went). Missing ones are fine.</summary>
    public void RemoveAll()
    {
        foreach (var (table, builtin, chain) in new[] { ("filter", "FORWARD", FilterChain), ("nat", "POSTROUTING", NatChain) })
        {
            // A jump may be there more than once if a run was cut short between check and insert: delete until none.
            for (var i = 0; i < 8 && TryRun("iptables", ["-w", "-t", table, "-D", builtin, "-j", chain, "-m", "comment", "--comment", JumpComment]) == 0; i++)
            {
            }

            if (TryRun("iptables", ["-w", "-t", table, "-F", chain]) == 0)
            {
                TryRun("iptables", ["-w", "-t", table, "-X", chain]);
            }

            RemoveIdleCniChains(table);
        }
    }

    /// <summary>
    /// The CNI plugins' shared chains (portmap's CNI-HOSTPORT-*, the firewall plugin's CNI-FORWARD/-ADMIN/-ISOLATION-*)
    /// stay after their last user, as the plugins leave them. When they hold nothing for any container or bridge (of any
    /// engine root), they go with the root's last network, in one iptables-restore transaction per table: if a plugin
    /// adds a rule in between, the transaction fails and they stay.
    /// </summary>
    private void RemoveIdleCniChains(string table)
    {
        var (code, _, saved) = Exec("iptables-save", ["-t", table], null);
        if (code == 0 && IdleCniChainsScript(saved, table) is { } script && TryRestore(script) != 0)
        {
            _log.LogDebug("the CNI plugins' shared chains in {Table} are in use again; kept", table);
        }
    }

    private int TryRestore(string script) => Exec("iptables-restore", ["--noflush", "--wait"], script).Code;

    // What the plugins put in their shared chains when no container uses them: these rules and nothing else.
    private static readonly Dictionary<string, string[]> IdleChains = new(StringComparer.Ordinal)
    {
        ["CNI-HOSTPORT-DNAT"] = [],
        ["CNI-HOSTPORT-MASQ"] = ["-m mark --mark 0x2000/0x2000 -j MASQUERADE"],
        ["CNI-HOSTPORT-SETMARK"] = ["-m comment --comment \"CNI portfwd masquerade mark\" -j MARK --set-xmark 0x2000/0x2000"],
        ["CNI-FORWARD"] = ["-m comment --comment \"CNI firewall plugin admin overrides\" -j CNI-ADMIN"],
        ["CNI-ADMIN"] = [],
        ["CNI-ISOLATION-STAGE-1"] = ["-m comment --comment \"CNI firewall plugin rules (ingressPolicy: same-bridge)\" -j RETURN"],
        ["CNI-ISOLATION-STAGE-2"] = ["-m comment --comment \"CNI firewall plugin rules (ingressPolicy: same-bridge)\" -j RETURN"],
    };

    /// <summary>
    /// The iptables-restore text that deletes the CNI shared chains of one table's iptables-save output and the jumps to
    /// them, or null when there are none or any of them still holds a rule of its own (a container's port, a bridge).
    /// </summary>
    internal static string? IdleCniChainsScript(string saved, string table)
    {
        var lines = saved.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var chains = lines.Where(l => l.StartsWith(':')).Select(l => l[1..].Split(' ')[0]).Where(IdleChains.ContainsKey).ToList();
        if (chains.Count == 0)
        {
            return null;
        }

        // Rules are deleted one by one rather than chains flushed: a rule a plugin adds meanwhile makes -X fail, and the
        // whole transaction with it.
        var jumps = new List<string>();
        var own = new List<string>();
        foreach (var rule in lines.Where(l => l.StartsWith("-A ", StringComparison.Ordinal)))
        {
            var parts = rule.Split(' ', 3);
            var target = rule[(rule.LastIndexOf(" -j ", StringComparison.Ordinal) + 4)..].Split(' ')[0];
            if (IdleChains.TryGetValue(parts[1], out var expected))
            {
                if (!expected.Contains(parts.Length > 2 ? parts[2] : "", StringComparer.Ordinal))
                {
                    // A rule of a container or a bridge, or a chain of one (CNI-DN-..., CNI-xxxx): in use.
                    return null;
                }

                own.Add("-D " + rule[3..]);
            }
            else if (chains.Contains(target, StringComparer.Ordinal))
            {
                if (parts[1].StartsWith("CNI-", StringComparison.Ordinal))
                {
                    return null;
                }

                jumps.Add("-D " + rule[3..]);
            }
        }

        var text = new System.Text.StringBuilder("*").Append(table).Append('\n');
        foreach (var delete in jumps.Concat(own))
        {
            text.Append(delete).Append('\n');
        }

        foreach (var chain in chains)
        {
            text.Append("-X ").Append(chain).Append('\n');
        }

        return text.Append("COMMIT\n").ToString();
    }

    private void EnsureJump(string table, string builtin, string chain, bool insert)
    {
        string[] rule = ["-j", chain, "-m", "comment", "--comment", JumpComment];
        if (TryRun("iptables", ["-w", "-t", table, "-C", builtin, .. rule]) == 0)
        {
            return;
        }

        Run("iptables", insert ? ["-w", "-t", table, "-I", builtin, "1", .. rule] : ["-w", "-t", table, "-A", builtin, .. rule]);
    }

    private void Run(string program, IReadOnlyList<string> arguments, string? input = null)
    {
        var (code, errors, _) = Exec(program, arguments, input);
        if (code != 0)
        {
            throw new ContainerEngineException("NetworkFirewallFailed",
                $"{program} {string.Join(' ', arguments)} failed (exit code {code}): {errors}", ContainerErrorKind.OperationFailed, program);
        }
    }

    private int TryRun(string program, IReadOnlyList<string> arguments) => Exec(program, arguments, null).Code;

    private (int Code, string Errors, string Output) Exec(string program, IReadOnlyList<string> arguments, string? input)
    {
        var start = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException(program + " did not start");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new ContainerEngineException("NetworkFirewallFailed", $"{program} could not be run ({e.Message}); container networks need iptables.",
                ContainerErrorKind.OperationFailed, program, e);
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            if (input is not null)
            {
                process.StandardInput.Write(input);
            }

            process.StandardInput.Close();
            if (!process.WaitForExit(CommandTimeout))
            {
                process.Kill();
                process.WaitForExit();
                throw new ContainerEngineException("NetworkFirewallFailed", $"{program} did not finish within {CommandTimeout.TotalSeconds:F0} s.", ContainerErrorKind.Timeout, program);
            }

            return (process.ExitCode, errors.GetAwaiter().GetResult().Trim(), output.GetAwaiter().GetResult());
        }
    }
}
