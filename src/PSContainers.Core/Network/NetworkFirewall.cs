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
        if (File.Exists(marker) && File.ReadAllText(marker) == text)
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
        }
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
        var (code, errors) = Exec(program, arguments, input);
        if (code != 0)
        {
            throw new ContainerEngineException("NetworkFirewallFailed",
                $"{program} {string.Join(' ', arguments)} failed (exit code {code}): {errors}", ContainerErrorKind.OperationFailed, program);
        }
    }

    private int TryRun(string program, IReadOnlyList<string> arguments) => Exec(program, arguments, null).Code;

    private (int Code, string Errors) Exec(string program, IReadOnlyList<string> arguments, string? input)
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

            output.GetAwaiter().GetResult();
            return (process.ExitCode, errors.GetAwaiter().GetResult().Trim());
        }
    }
}
