using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using PSContainers.Core.Build.Instructions;
using PSContainers.Core.Build.Parser;

namespace PSContainers.Core.Tests.Build;

// The golden files' format: the parsed model (one JSON object per instruction), then each stage walked with the
// variable scope (expanded instructions, ENV and the ARGs RUN would see), then the stages each target needs.
internal static class ModelDump
{
    private static readonly JsonSerializerOptions Options = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver
        {
            Modifiers =
            {
                info =>
                {
                    if (info.Type == typeof(Instruction))
                    {
                        info.PolymorphismOptions = new JsonPolymorphismOptions();
                        foreach (var type in typeof(Instruction).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(Instruction)) && !t.IsAbstract))
                        {
                            info.PolymorphismOptions.DerivedTypes.Add(new JsonDerivedType(type, type.Name));
                        }
                    }

                    // Line numbers, keyword and original text are printed once in the line's prefix.
                    foreach (var property in info.Properties.Where(p => p.Name is "Keyword" or "Line" or "EndLine" or "Original"))
                    {
                        property.ShouldSerialize = (_, _) => false;
                    }
                },
            },
        },
    };

    public static string Render(string dockerfile, IReadOnlyDictionary<string, string> buildArgs)
    {
        var output = new StringBuilder();
        DockerfileModel model;
        try
        {
            model = DockerfileModel.Parse(dockerfile);
        }
        catch (DockerfileParseException ex)
        {
            return $"error: {ex.Message}\n";
        }

        output.Append($"escape: {model.EscapeToken}\n");
        foreach (var warning in model.Warnings)
        {
            output.Append($"warning: {warning}\n");
        }

        if (model.Syntax is not null)
        {
            output.Append($"syntax: {model.Syntax}\n");
        }

        foreach (var arg in model.GlobalArgs)
        {
            output.Append(Line(arg));
        }

        foreach (var stage in model.Stages)
        {
            output.Append($"stage {stage.Index} {stage.Name ?? "-"}\n");
            output.Append(Line(stage.From));
            foreach (var instruction in stage.Instructions)
            {
                output.Append(Line(instruction));
            }
        }

        try
        {
            var arguments = new BuildArguments(buildArgs);
            var globals = arguments.EvaluateGlobals(model);
            output.Append("globals: ").Append(string.Join(" ", globals.Where(g => !arguments.Predefined.ContainsKey(g.Key) || g.Value != arguments.Predefined[g.Key])
                .Select(g => $"{g.Key}={g.Value}"))).Append('\n');
            foreach (var stage in model.Stages)
            {
                output.Append($"expanded stage {stage.Index}\n");
                output.Append(Line(BuildArguments.ExpandFrom(model, stage.From, globals)));
                var variables = arguments.BeginStage(model, globals, ["PATH=/usr/bin:/bin"]);
                foreach (var instruction in stage.Instructions)
                {
                    switch (instruction)
                    {
                        case ArgInstruction arg:
                            variables.Apply(arg);
                            output.Append($"  args: {string.Join(" ", variables.CacheKeyArgs)}\n");
                            break;
                        case EnvInstruction env:
                            variables.Apply(env);
                            output.Append($"  env: {string.Join(" ", variables.Environment)}\n");
                            break;
                        case RunInstruction run:
                            output.Append($"  run env: {string.Join(" ", variables.RunEnvironment)}\n");
                            if (run.MountSpecs.Count > 0)
                            {
                                output.Append(Line(variables.Expand(run)));
                            }

                            break;
                        case FileCopyInstruction copy when copy.Heredocs.Count > 0:
                            output.Append(Line(variables.Expand(copy)));
                            foreach (var heredoc in copy.Heredocs)
                            {
                                output.Append($"  heredoc {heredoc.Name}: {JsonSerializer.Serialize(variables.ExpandHeredoc(heredoc, copy.Line), Options)}\n");
                            }

                            break;
                        default:
                            var expanded = variables.Expand(instruction);
                            if (!ReferenceEquals(expanded, instruction))
                            {
                                output.Append(Line(expanded));
                            }

                            break;
                    }
                }
            }

            var targets = model.Stages.Where(s => s.Name is not null).Select(s => s.Name).Append(null).ToList();
            foreach (var target in targets)
            {
                output.Append($"needs {target ?? "(last)"}: {string.Join(",", model.StagesNeededFor(target, buildArgs).Select(s => s.Index))}\n");
            }

            var unconsumed = arguments.Unconsumed;
            if (unconsumed.Count > 0)
            {
                output.Append($"unconsumed: {string.Join(",", unconsumed)}\n");
            }
        }
        catch (DockerfileParseException ex)
        {
            output.Append($"error: {ex.Message}\n");
        }

        return output.ToString();
    }

    private static string Line(Instruction instruction) =>
        $"{instruction.Keyword} {instruction.Line}-{instruction.EndLine} {JsonSerializer.Serialize(instruction.Original, Options)} {JsonSerializer.Serialize(instruction, typeof(Instruction), Options)}\n";
}
