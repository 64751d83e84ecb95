using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace PSContainers.Core.Tests.Registry;

/// <summary>
/// Two real docker-registry processes on 127.0.0.1 (the Debian package's /usr/bin/docker-registry), one anonymous
/// and one with htpasswd basic auth, each with its own config and storage in a temp directory; stopped by PID.
/// </summary>
public sealed class DockerRegistryFixture : IDisposable
{
    public const string Binary = "/usr/bin/docker-registry";
    public const string User = "xunit";
    public const string Password = "xunit-secret";

    private readonly TempDirectory _dir = new();
    private readonly List<Process> _processes = [];

    public DockerRegistryFixture()
    {
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException($"{Binary} is missing: build.ps1 Bootstrap installs the docker-registry package.");
        }

        try
        {
            Anonymous = Start("anon", null);
            var htpasswd = Path.Combine(_dir.Path, "htpasswd");
            Run("htpasswd", "-Bbc", htpasswd, User, Password);
            Secured = Start("secured", htpasswd);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>host:port of the anonymous registry.</summary>
    public string Anonymous { get; }

    /// <summary>host:port of the registry that wants basic auth (User, Password).</summary>
    public string Secured { get; }

    public string StorageOf(string name) => Path.Combine(_dir.Path, name, "storage");

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            try
            {
                process.Kill();
                process.WaitForExit(10_000);
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            process.Dispose();
        }

        _dir.Dispose();
    }

    private string Start(string name, string? htpasswd)
    {
        var dir = Path.Combine(_dir.Path, name);
        Directory.CreateDirectory(dir);
        for (var attempt = 0; attempt < 5; attempt++)
        {
            int port;
            using (var probe = new TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                port = ((IPEndPoint)probe.LocalEndpoint).Port;
            }

            var config = Path.Combine(dir, "config.yml");
            File.WriteAllText(config, $"""
                version: 0.1
                log:
                  level: error
                  accesslog:
                    disabled: true
                storage:
                  filesystem:
                    rootdirectory: {Path.Combine(dir, "storage")}
                http:
                  addr: 127.0.0.1:{port}
                {(htpasswd is null ? "" : $"auth:\n  htpasswd:\n    realm: xunit\n    path: {htpasswd}\n")}
                """);
            var info = new ProcessStartInfo(Binary) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            info.ArgumentList.Add("serve");
            info.ArgumentList.Add(config);
            // The registry takes REGISTRY_* variables as config overrides (REGISTRY_AUTH_FILE would be auth.file).
            foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("REGISTRY_", StringComparison.Ordinal)).ToList())
            {
                info.Environment.Remove(key);
            }

            var process = Process.Start(info)!;
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            _processes.Add(process);
            var deadline = DateTime.UtcNow.AddSeconds(15);
            while (DateTime.UtcNow < deadline && !process.HasExited)
            {
                try
                {
                    using var client = new TcpClient();
                    client.Connect(IPAddress.Loopback, port);
                    return $"127.0.0.1:{port}";
                }
                catch (SocketException)
                {
                    Thread.Sleep(100);
                }
            }
        }

        throw new InvalidOperationException($"docker-registry {name} did not start.");
    }

    private static void Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} failed: {error}");
        }
    }
}
