using System.Text.Json;
using PSContainers.Runtime.Processes.Plan;

namespace PSContainers.Runtime.Processes;

/// <summary>What an exec'd process runs in its fresh pscrun image before it becomes the user's program.</summary>
/// <remarks>
/// `pscrun exec` clones a child that joins the container's namespaces (all but the mount namespace) and
/// executes a sealed memfd copy of pscrun, so /proc/PID/exe never points at the host's binary while the
/// container can see the process. This image joins the mount namespace itself, then runs the same
/// process-setup steps a container's first process runs (ContainerSetupPlanner) and execs.
/// </remarks>
public static class ContainerInit
{
    public const string SyncFdVariable = "_PSCRUN_SYNC_FD";

    public static unsafe int Main()
    {
        if (!int.TryParse(Environment.GetEnvironmentVariable(SyncFdVariable), out var fd))
        {
            Console.Error.WriteLine("pscrun exec-init: this command is run by pscrun itself, not by users");
            return 2;
        }

        Environment.SetEnvironmentVariable(SyncFdVariable, null);
        Libc.Fcntl(fd, Consts.F_SETFD, Consts.FD_CLOEXEC);
        var channel = new SyncChannel(fd);
        SetupPlan? plan = null;
        try
        {
            var frame = channel.Expect(SyncChannel.Config);
            var config = JsonSerializer.Deserialize(frame.Text, RuntimeJsonContext.Default.InitConfig)
                ?? throw new InvalidOperationException("empty exec configuration");
            var process = config.Spec.Process ?? throw new InvalidOperationException("the configuration has no process");
            JoinMountNamespace(config.MountNamespaceFd);

            plan = new SetupPlan();
            plan.Syscall("setsid", 112);
            if (process.Terminal == true)
            {
                ContainerSetupPlanner.AddConsole(plan, config.ConsoleSocketFd, process.ConsoleSize, bindConsole: false);
            }

            var exec = ContainerSetupPlanner.AddProcessPreparation(plan, process);
            var created = plan.Arena.Bytes(5);
            created[0] = SyncChannel.Created;
            plan.CreatedStep = plan.Add(PlanOpCode.Send, "tell the runtime the process is ready", fd, (long)created, 5);
            ContainerSetupPlanner.AddIdentityAndExec(plan, process, config.PreserveFds, exec, config.Spec.Linux?.Seccomp);
            var failed = PlanExecutor.Run(plan.Ops, plan.Count, out var errno);
            var message = plan.Describe(failed, errno);
            if (failed >= 0 && failed <= plan.CreatedStep)
            {
                channel.Send(SyncChannel.Error, message);
            }
            else
            {
                Console.Error.WriteLine("pscrun: " + message);
            }

            return 127;
        }
        catch (Exception e)
        {
            try
            {
                channel.Send(SyncChannel.Error, e.Message);
            }
            catch (SyscallException)
            {
                Console.Error.WriteLine("pscrun: " + e.Message);
            }

            return 127;
        }
        finally
        {
            plan?.Dispose();
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
}
