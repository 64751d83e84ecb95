using System.Globalization;
using System.Runtime.InteropServices;
using PSContainers.Native;
using PSContainers.Runtime.Container;

namespace PSContainers.Pscrun.Commands;

/// <summary>`create` and `run`.</summary>
internal static class CreateCommand
{
    public static int Create(LinuxContainerRuntime runtime, ArgReader reader)
    {
        var (id, bundle, options, _) = Parse(reader, allowDetach: false);
        runtime.Create(id, bundle, options);
        return 0;
    }

    public static int Run(LinuxContainerRuntime runtime, ArgReader reader)
    {
        var (id, bundle, options, detach) = Parse(reader, allowDetach: true);
        var record = runtime.Create(id, bundle, options);
        try
        {
            runtime.Start(record);
            runtime.Trace("started");
        }
        catch
        {
            runtime.Delete(id, force: true);
            throw;
        }

        if (detach)
        {
            return 0;
        }

        // Signals sent to `pscrun run` go to the container, as with runc.
        var registrations = new List<PosixSignalRegistration>();
        foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGHUP, PosixSignal.SIGQUIT })
        {
            registrations.Add(PosixSignalRegistration.Create(signal, ctx =>
            {
                ctx.Cancel = true;
                var number = ctx.Signal switch
                {
                    PosixSignal.SIGTERM => Consts.SIGTERM,
                    PosixSignal.SIGINT => Consts.SIGINT,
                    PosixSignal.SIGHUP => Consts.SIGHUP,
                    _ => Consts.SIGQUIT,
                };
                Libc.Kill(record.Pid, number);
            }));
        }

        int code;
        try
        {
            code = LinuxContainerRuntime.WaitForExit(record.Pid);
            runtime.Trace("container exited");
        }
        finally
        {
            foreach (var r in registrations)
            {
                r.Dispose();
            }

            runtime.Delete(record, force: true);
            runtime.Trace("deleted");
        }

        return code;
    }

    private static (string Id, string Bundle, CreateOptions Options, bool Detach) Parse(ArgReader reader, bool allowDetach)
    {
        var bundle = ".";
        string? pidFile = null, consoleSocket = null;
        int preserve = 0;
        bool noPivot = false, noKeyring = false, detach = false;
        reader.ReadFlags((name, value) =>
        {
            switch (name)
            {
                case "--bundle" or "-b": bundle = value(); return true;
                case "--pid-file": pidFile = value(); return true;
                case "--console-socket": consoleSocket = value(); return true;
                case "--preserve-fds": preserve = int.Parse(value(), CultureInfo.InvariantCulture); return true;
                case "--no-pivot": noPivot = true; return true;
                case "--no-new-keyring": noKeyring = true; return true;
                case "--no-subreaper" or "--keep": return true;
                case "--detach" or "-d" when allowDetach: detach = true; return true;
                default: return false;
            }
        });
        var rest = reader.Rest();
        if (rest.Count != 1)
        {
            throw new UsageException("expected exactly one container id");
        }

        return (rest[0], bundle, new CreateOptions
        {
            PidFile = pidFile, ConsoleSocket = consoleSocket, PreserveFds = preserve, NoPivot = noPivot, NoNewKeyring = noKeyring,
        }, detach);
    }
}
