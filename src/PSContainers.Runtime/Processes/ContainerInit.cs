using System.Text.Json;
using PSContainers.Runtime.Mounts;

namespace PSContainers.Runtime.Processes;

/// <summary>The code a container's first process (and every exec'd process) runs before it becomes the user's program.</summary>
/// <remarks>
/// It runs in a fresh pscrun image (a sealed memfd copy, so the container cannot reach the host binary)
/// that the runtime started inside the new namespaces. It talks to the runtime over the sync channel
/// until the container is created, then waits on the exec fifo for `start`.
/// </remarks>
public static class ContainerInit
{
    public const string SyncFdVariable = "_PSCRUN_SYNC_FD";

    public static int Main(bool exec)
    {
        if (!int.TryParse(Environment.GetEnvironmentVariable(SyncFdVariable), out var fd))
        {
            Console.Error.WriteLine("pscrun init: this command is run by pscrun itself, not by users");
            return 2;
        }

        Environment.SetEnvironmentVariable(SyncFdVariable, null);
        Libc.Fcntl(fd, Consts.F_SETFD, Consts.FD_CLOEXEC);
        var channel = new SyncChannel(fd);
        var created = false;
        try
        {
            var frame = channel.Expect(SyncChannel.Config);
            var config = JsonSerializer.Deserialize(frame.Text, RuntimeJsonContext.Default.InitConfig)
                ?? throw new InvalidOperationException("empty init configuration");
            var process = config.Spec.Process ?? throw new InvalidOperationException("the configuration has no process");

            if (!exec)
            {
                PrepareContainer(config, channel);
            }
            else
            {
                JoinMountNamespace(config.MountNamespaceFd);
                Libc.Setsid();
                if (process.Terminal == true)
                {
                    ConsoleSetup.Attach(config.ConsoleSocketFd, process.ConsoleSize, bindConsole: false);
                }
            }

            ProcessLauncher.ApplyOomScoreAdj(process);
            ProcessLauncher.ApplyRlimits(process);
            var executable = ProcessLauncher.ResolveExecutable(process);
            channel.Send(SyncChannel.Created, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            created = true;
            channel.Dispose();

            if (!exec)
            {
                WaitForStart(config);
                HookRunner.Run(config.Spec.Hooks?.StartContainer, StateJson(config, "running"), "startContainer");
            }

            Libc.Umask(process.User?.Umask ?? 0x12);
            ProcessLauncher.EnterCwd(process);
            ProcessLauncher.ApplyIdentity(process);
            ProcessLauncher.Exec(executable, process, config.PreserveFds);
            return 127;
        }
        catch (Exception e)
        {
            if (!created)
            {
                try
                {
                    channel.Send(SyncChannel.Error, e.Message);
                }
                catch (SyscallException)
                {
                    // The runtime is gone; stderr is all that is left.
                    Console.Error.WriteLine("pscrun: " + e.Message);
                }
            }
            else
            {
                Console.Error.WriteLine("pscrun: " + e.Message);
            }

            return 127;
        }
    }

    /// <summary>Enters the container's mount namespace from this multi-threaded image.</summary>
    /// <remarks>
    /// setns(CLONE_NEWNS) refuses a caller that shares its filesystem context (cwd, root) with other
    /// threads; unshare(CLONE_FS) gives this thread its own, and this thread is the one that calls execve.
    /// </remarks>
    private static void JoinMountNamespace(int fd)
    {
        if (fd < 0)
        {
            return;
        }

        Libc.Check(Libc.Unshare(CloneFs), "unshare(CLONE_FS)");
        Libc.Check(Libc.Setns(fd, Consts.CLONE_NEWNS), "setns", "the container's mount namespace");
        Libc.Close(fd);
        Libc.Check(Libc.Chdir("/"), "chdir", "/");
    }

    private const int CloneFs = 0x200;

    private static void PrepareContainer(InitConfig config, SyncChannel channel)
    {
        var spec = config.Spec;
        if (config.NewCgroupNamespace)
        {
            // After the runtime moved us into the container's cgroup, so that becomes the namespace's root.
            Libc.Check(Libc.Unshare(Consts.CLONE_NEWCGROUP), "unshare(CLONE_NEWCGROUP)");
        }

        if (config.NewUtsNamespace)
        {
            SetName(spec.Hostname, hostname: true);
            SetName(spec.Domainname, hostname: false);
        }

        var rootfs = new RootfsSetup(spec, config.Rootfs, config.Bundle, config.NewUserNamespace);
        if (config.NewMountNamespace)
        {
            rootfs.PrepareRoot();
            rootfs.MountAll();
        }

        channel.Send(SyncChannel.HooksReady);
        channel.Expect(SyncChannel.HooksDone);
        HookRunner.Run(spec.Hooks?.CreateContainer, StateJson(config, "created"), "createContainer");

        if (config.NewMountNamespace)
        {
            rootfs.PivotRoot(config.NoPivot);
            rootfs.FinishInsideRoot();
        }
        else
        {
            Libc.Check(Libc.Chroot(config.Rootfs), "chroot", config.Rootfs);
            Libc.Check(Libc.Chdir("/"), "chdir", "/");
        }

        Libc.Setsid();
        var process = spec.Process!;
        if (process.Terminal == true)
        {
            ConsoleSetup.Attach(config.ConsoleSocketFd, process.ConsoleSize, bindConsole: true);
        }

        if (!config.NoNewKeyring)
        {
            // A private session keyring, so keys of the host session do not leak in; kernels without keys are fine.
            Libc.Syscall(SysNo.KeyCtl, Consts.KEYCTL_JOIN_SESSION_KEYRING, 0, 0, 0, 0);
        }
    }

    private static unsafe void SetName(string? name, bool hostname)
    {
        if (string.IsNullOrEmpty(name))
        {
            return;
        }

        var bytes = System.Text.Encoding.UTF8.GetBytes(name);
        fixed (byte* p = bytes)
        {
            var rc = hostname ? Libc.SetHostname(p, bytes.Length) : Libc.SetDomainname(p, bytes.Length);
            Libc.Check(rc, hostname ? "sethostname" : "setdomainname", name);
        }
    }

    private static unsafe void WaitForStart(InitConfig config)
    {
        // The fifo was opened O_PATH on the host; reopening it for writing blocks until `start` reads.
        var path = "/proc/self/fd/" + config.FifoFd.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var fd = Libc.Open(path, Consts.O_WRONLY | Consts.O_CLOEXEC, 0);
        Libc.Check(fd, "open exec fifo", path);
        byte b = (byte)'0';
        Libc.Write(fd, &b, 1);
        Libc.Close(fd);
        Libc.Close(config.FifoFd);
    }

    private static string StateJson(InitConfig config, string status) =>
        JsonSerializer.Serialize(
            new Spec.State
            {
                OciVersion = config.Spec.OciVersion,
                Id = config.Id,
                Status = status,
                Pid = config.Pid,
                Bundle = config.Bundle,
                Annotations = config.Spec.Annotations,
            },
            Spec.SpecJsonContext.Default.State);
}
