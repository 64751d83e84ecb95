using System.Globalization;
using System.Text.Json;
using PSContainers.Runtime.Container;
using PSContainers.Runtime.Spec;

namespace PSContainers.Pscrun.Commands;

/// <summary>`state`, `list`, `ps`, `features` and `spec`.</summary>
internal static class InfoCommands
{
    public static int State(LinuxContainerRuntime runtime, ArgReader reader)
    {
        reader.ReadFlags((_, _) => false);
        var state = runtime.State(LifecycleCommands.OneId(reader));
        Console.WriteLine(JsonSerializer.Serialize(state, SpecJsonContext.Default.State));
        return 0;
    }

    public static int List(LinuxContainerRuntime runtime, ArgReader reader)
    {
        var format = "table";
        var quiet = false;
        reader.ReadFlags((name, value) =>
        {
            switch (name)
            {
                case "--format" or "-f": format = value(); return true;
                case "--quiet" or "-q": quiet = true; return true;
                default: return false;
            }
        });
        var records = runtime.List().ToList();
        if (quiet)
        {
            records.ForEach(r => Console.WriteLine(r.Id));
            return 0;
        }

        if (format == "json")
        {
            var states = records.Select(runtime.StateOf).ToList();
            Console.WriteLine(JsonSerializer.Serialize(states, SpecJsonContext.Default.ListState));
            return 0;
        }

        Console.WriteLine($"{"ID",-20} {"PID",-8} {"STATUS",-10} {"BUNDLE",-40} {"CREATED",-30} OWNER");
        foreach (var r in records)
        {
            var s = runtime.StateOf(r);
            Console.WriteLine($"{r.Id,-20} {s.Pid,-8} {s.Status,-10} {r.Bundle,-40} {r.Created.ToString("o", CultureInfo.InvariantCulture),-30} {r.Owner}");
        }

        return 0;
    }

    public static int Ps(LinuxContainerRuntime runtime, ArgReader reader)
    {
        var format = "table";
        reader.ReadFlags((name, value) =>
        {
            if (name is "--format" or "-f")
            {
                format = value();
                return true;
            }

            return false;
        });
        var rest = reader.Rest();
        if (rest.Count < 1)
        {
            throw new UsageException("expected a container id");
        }

        var pids = runtime.Pids(rest[0]);
        if (format == "json")
        {
            Console.WriteLine("[" + string.Join(",", pids) + "]");
            return 0;
        }

        Console.WriteLine($"{"PID",-8} CMD");
        foreach (var pid in pids)
        {
            string cmd;
            try
            {
                cmd = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
            }
            catch (IOException)
            {
                continue;
            }

            Console.WriteLine($"{pid,-8} {cmd}");
        }

        return 0;
    }

    public static int Features(ArgReader reader)
    {
        reader.ReadFlags((_, _) => false);
        Console.WriteLine(JsonSerializer.Serialize(RuntimeFeatures.Describe(), SpecJsonContext.Default.Features));
        return 0;
    }

    public static int Spec(ArgReader reader)
    {
        var bundle = ".";
        reader.ReadFlags((name, value) =>
        {
            switch (name)
            {
                case "--bundle" or "-b": bundle = value(); return true;
                case "--rootless": return true;
                default: return false;
            }
        });
        var file = Path.Combine(bundle, SpecLoader.ConfigFileName);
        if (File.Exists(file))
        {
            throw new UsageException($"File {file} exists. Remove it first");
        }

        File.WriteAllText(file, SpecLoader.Serialize(DefaultSpecs.ForRuncSpecCommand()) + "\n");
        return 0;
    }
}
