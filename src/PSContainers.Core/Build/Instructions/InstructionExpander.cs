namespace PSContainers.Core.Build.Instructions;

// Which words of which instruction expand: BuildKit's list (the instructions that implement its SupportsSingleWordExpansion).
internal static class InstructionExpander
{
    public static Instruction Expand(Instruction instruction, Func<string, string> word, Func<string, IReadOnlyList<string>> words, Func<string, Parser.DockerfileParseException> error)
    {
        string? Maybe(string? text) => text is null ? null : word(text);
        IReadOnlyList<string> Each(IReadOnlyList<string> list) => list.Select(word).ToList();
        IReadOnlyList<KeyValue> Pairs(IReadOnlyList<KeyValue> pairs) => pairs.Select(p => new KeyValue(word(p.Key), word(p.Value))).ToList();

        return instruction switch
        {
            CopyInstruction copy => copy with
            {
                Sources = Each(copy.Sources),
                Destination = word(copy.Destination),
                From = Maybe(copy.From),
                Chown = Maybe(copy.Chown),
                Chmod = Maybe(copy.Chmod),
                Exclude = Each(copy.Exclude),
            },
            AddInstruction add => add with
            {
                Sources = Each(add.Sources),
                Destination = word(add.Destination),
                Chown = Maybe(add.Chown),
                Chmod = Maybe(add.Chmod),
                Checksum = Maybe(add.Checksum),
                Exclude = Each(add.Exclude),
            },
            EnvInstruction env => env with { Pairs = Pairs(env.Pairs) },
            LabelInstruction label => label with { Pairs = Pairs(label.Pairs) },
            ExposeInstruction expose => expose with { Ports = expose.Ports.SelectMany(words).ToList() },
            WorkdirInstruction workdir => workdir with { Path = word(workdir.Path) },
            UserInstruction user => user with { User = word(user.User) },
            StopSignalInstruction stop => stop with { Signal = word(stop.Signal) },
            VolumeInstruction volume => volume with { Paths = Each(volume.Paths) },
            RunInstruction run when run.MountSpecs.Count > 0 => run with { Mounts = run.MountSpecs.Select(m => RunMountParser.Parse(m, error, word)).ToList() },
            ArgInstruction arg => arg with { Args = arg.Args.Select(a => a with { Default = Maybe(a.Default) }).ToList() },
            _ => instruction,
        };
    }
}
