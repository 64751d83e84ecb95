using System.Globalization;
using PSContainers.Core.Build.Parser;

namespace PSContainers.Core.Build.Instructions;

// Stage lookup and the "which stages does the target need" walk.
internal static class StageResolver
{
    public static Stage? Find(DockerfileModel model, string nameOrIndex)
    {
        var name = nameOrIndex.ToLowerInvariant();
        var byName = model.Stages.FirstOrDefault(s => s.Name == name);
        if (byName is not null)
        {
            return byName;
        }

        return int.TryParse(nameOrIndex, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < model.Stages.Count
            ? model.Stages[index]
            : null;
    }

    public static Stage Target(DockerfileModel model, string? target)
    {
        if (string.IsNullOrEmpty(target))
        {
            return model.Stages[^1];
        }

        return model.Stages.FirstOrDefault(s => s.Name == target.ToLowerInvariant())
            ?? throw new DockerfileParseException(model.FileName, 0, $"target stage \"{target}\" could not be found");
    }

    public static IReadOnlyList<Stage> Needed(DockerfileModel model, string? target, IReadOnlyDictionary<string, string> buildArgs)
    {
        var arguments = new BuildArguments(buildArgs);
        var globals = arguments.EvaluateGlobals(model);
        var needed = new SortedSet<int>();
        var pending = new Stack<Stage>();
        pending.Push(Target(model, target));
        while (pending.Count > 0)
        {
            var stage = pending.Pop();
            if (!needed.Add(stage.Index))
            {
                continue;
            }

            foreach (var dependency in Dependencies(model, stage, arguments, globals))
            {
                pending.Push(dependency);
            }
        }

        return needed.Select(i => model.Stages[i]).ToList();
    }

    // A stage depends on an earlier stage named in its FROM, and on stages named by COPY --from and RUN --mount from=
    // (expanded with the ARGs and ENVs declared before them; anything else there is an image).
    private static IEnumerable<Stage> Dependencies(DockerfileModel model, Stage stage, BuildArguments arguments, IReadOnlyDictionary<string, string> globals)
    {
        var from = BuildArguments.ExpandFrom(model, stage.From, globals);
        var baseStage = model.Stages.Take(stage.Index).FirstOrDefault(s => s.Name == from.Image.ToLowerInvariant());
        if (baseStage is not null)
        {
            yield return baseStage;
        }

        var variables = arguments.BeginStage(model, globals, []);
        foreach (var instruction in stage.Instructions)
        {
            string?[] references = [];
            switch (instruction)
            {
                case ArgInstruction arg:
                    variables.Apply(arg);
                    continue;
                case EnvInstruction env:
                    variables.Apply(env);
                    continue;
                case CopyInstruction copy:
                    references = [((CopyInstruction)variables.Expand(copy)).From];
                    break;
                case RunInstruction run:
                    references = run.Mounts.Select(m => m.From).ToArray();
                    break;
            }

            foreach (var reference in references.OfType<string>())
            {
                var found = Find(model, reference);
                if (found is null)
                {
                    continue;
                }

                if (found.Index >= stage.Index)
                {
                    throw new DockerfileParseException(model.FileName, instruction.Line,
                        found.Index == stage.Index ? $"circular dependency: stage \"{reference}\" refers to itself" : $"stage \"{reference}\" is defined after the stage that uses it");
                }

                yield return found;
            }
        }
    }
}
