using PSContainers.Runtime.Container;

namespace PSContainers.Pscrun.Commands;

/// <summary>`start`, `kill`, `delete`, `pause` and `resume`.</summary>
internal static class LifecycleCommands
{
    public static int Start(LinuxContainerRuntime runtime, ArgReader reader)
    {
        reader.ReadFlags((_, _) => false);
        runtime.Start(OneId(reader));
        return 0;
    }

    public static int Kill(LinuxContainerRuntime runtime, ArgReader reader)
    {
        var all = false;
        reader.ReadFlags((name, _) =>
        {
            if (name is "--all" or "-a")
            {
                all = true;
                return true;
            }

            return false;
        });
        var rest = reader.Rest();
        if (rest.Count is < 1 or > 2)
        {
            throw new UsageException("usage: pscrun kill [--all] ID [SIGNAL]");
        }

        var signal = rest.Count == 2 ? Signals.Parse(rest[1]) : 15;
        runtime.Kill(rest[0], signal, all);
        return 0;
    }

    public static int Delete(LinuxContainerRuntime runtime, ArgReader reader)
    {
        var force = false;
        reader.ReadFlags((name, _) =>
        {
            if (name is "--force" or "-f")
            {
                force = true;
                return true;
            }

            return false;
        });
        runtime.Delete(OneId(reader), force);
        return 0;
    }

    public static int Pause(LinuxContainerRuntime runtime, ArgReader reader)
    {
        reader.ReadFlags((_, _) => false);
        runtime.Pause(OneId(reader));
        return 0;
    }

    public static int Resume(LinuxContainerRuntime runtime, ArgReader reader)
    {
        reader.ReadFlags((_, _) => false);
        runtime.Resume(OneId(reader));
        return 0;
    }

    internal static string OneId(ArgReader reader)
    {
        var rest = reader.Rest();
        if (rest.Count != 1)
        {
            throw new UsageException("expected exactly one container id");
        }

        return rest[0];
    }
}
