using PSContainers.Core.Build.Instructions;
using PSContainers.Core.Build.Parser;

namespace PSContainers.Core.Tests.Build;

public sealed class DockerfileModelTests
{
    [Fact]
    public void ErrorsNameTheFileTheLineAndWhatIsWrong()
    {
        var error = Assert.Throws<DockerfileParseException>(() => DockerfileModel.Parse("FROM busybox\n\nRUN true\nFROBNICATE x\n", "build/app.Dockerfile"));
        Assert.Equal("build/app.Dockerfile", error.File);
        Assert.Equal(4, error.Line);
        Assert.Equal("unknown instruction: FROBNICATE", error.Reason);
        Assert.Equal("build/app.Dockerfile:4: unknown instruction: FROBNICATE", error.Message);
    }

    [Fact]
    public void AnOnBuildTriggerWithAHeredocParsesAgainFromItsExpression()
    {
        var model = DockerfileModel.Parse("FROM busybox\nONBUILD RUN <<EOF\necho triggered\nEOF\nCMD [\"sh\"]\n");
        var onbuild = Assert.IsType<OnBuildInstruction>(model.Stages[0].Instructions[0]);
        Assert.Equal("RUN <<EOF\necho triggered\nEOF", onbuild.Expression);
        Assert.IsType<CmdInstruction>(model.Stages[0].Instructions[1]);

        var again = DockerfileModel.Parse("FROM scratch\n" + onbuild.Expression + "\n");
        var run = Assert.IsType<RunInstruction>(again.Stages[0].Instructions[0]);
        Assert.Equal(Assert.IsType<RunInstruction>(onbuild.Trigger).Heredocs, run.Heredocs);
        Assert.Equal("echo triggered\n", run.Heredocs[0].Content);
    }

    [Fact]
    public void EveryInstructionParsesAgainFromItsOriginalText()
    {
        var checkedCount = 0;
        foreach (var dir in Directory.GetDirectories(DockerfileGoldenTests.TestDataDirectory()))
        {
            DockerfileModel model;
            try
            {
                model = DockerfileModel.Parse(File.ReadAllText(Path.Combine(dir, "Dockerfile")));
            }
            catch (DockerfileParseException)
            {
                continue;
            }

            foreach (var instruction in model.Stages.SelectMany(s => s.Instructions.Prepend(s.From)).Concat(model.GlobalArgs))
            {
                // created_by and ONBUILD keep only Original: it must carry everything but the heredoc bodies.
                var again = InstructionParser.ParseInstruction(DockerfileParser.NewNode(instruction.Original, instruction.Line, instruction.EndLine, "Dockerfile")!, "Dockerfile", model.EscapeToken);
                if (instruction is RunInstruction { Heredocs.Count: > 0 } or FileCopyInstruction { Heredocs.Count: > 0 } or OnBuildInstruction)
                {
                    Assert.Equal(instruction.GetType(), again.GetType());
                    continue;
                }

                Assert.Equal(System.Text.Json.JsonSerializer.Serialize(instruction, instruction.GetType()), System.Text.Json.JsonSerializer.Serialize(again, again.GetType()));
                checkedCount++;
            }
        }

        Assert.True(checkedCount > 100, $"only {checkedCount} instructions checked");
    }

    [Fact]
    public void FindsStagesByNameInAnyCaseOrByIndex()
    {
        var model = DockerfileModel.Parse("FROM busybox AS Build\nFROM scratch AS final\nCOPY --from=BUILD /a /a\n");
        Assert.Equal(0, model.FindStage("build")!.Index);
        Assert.Equal(0, model.FindStage("BUILD")!.Index);
        Assert.Equal(1, model.FindStage("1")!.Index);
        Assert.Null(model.FindStage("2"));
        Assert.Null(model.FindStage("busybox"));
        Assert.Equal(1, model.TargetStage(null).Index);
        Assert.Equal(0, model.TargetStage("Build").Index);
        Assert.Equal([0, 1], model.StagesNeededFor("final").Select(s => s.Index));
        var error = Assert.Throws<DockerfileParseException>(() => model.TargetStage("nope"));
        Assert.Contains("target stage \"nope\" could not be found", error.Message);
    }

    [Fact]
    public void AStageSeesTheBaseImageEnvironmentAndEnvBeatsArg()
    {
        var model = DockerfileModel.Parse("FROM busybox\nARG HOME=/arg\nENV B=$HOME/b\nARG PATH\nENV C=$PATH\n");
        var arguments = new BuildArguments(new Dictionary<string, string> { ["PATH"] = "/given" });
        var variables = arguments.BeginStage(model, arguments.EvaluateGlobals(model), ["PATH=/bin", "HOME=/root"]);
        foreach (var instruction in model.Stages[0].Instructions)
        {
            switch (instruction)
            {
                case ArgInstruction arg:
                    variables.Apply(arg);
                    break;
                case EnvInstruction env:
                    variables.Apply(env);
                    break;
            }
        }

        // The image's HOME and PATH are ENV values: they win over the ARGs of the same name.
        Assert.Equal(["PATH=/bin", "HOME=/root", "B=/root/b", "C=/bin"], variables.Environment);
        Assert.Equal(["HOME=/arg", "PATH=/given"], variables.CacheKeyArgs);
        Assert.Equal(["PATH=/bin", "HOME=/root", "B=/root/b", "C=/bin"], variables.RunEnvironment);
        Assert.Empty(arguments.Unconsumed);
    }

    [Fact]
    public void ExpansionErrorsCarryTheInstructionsLine()
    {
        var model = DockerfileModel.Parse("FROM busybox\nENV A=1\nUSER ${A:?}\nUSER ${B:?B is required}\n", "Containerfile");
        var arguments = new BuildArguments();
        var variables = arguments.BeginStage(model, arguments.EvaluateGlobals(model), []);
        variables.Apply((EnvInstruction)model.Stages[0].Instructions[0]);
        Assert.Equal("1", ((UserInstruction)variables.Expand(model.Stages[0].Instructions[1])).User);
        var error = Assert.Throws<DockerfileParseException>(() => variables.Expand(model.Stages[0].Instructions[2]));
        Assert.Equal(("Containerfile", 4), (error.File, error.Line));
        Assert.EndsWith("B: B is required", error.Reason);
    }

    [Fact]
    public void NonHostPlatformsReachThePredefinedArgs()
    {
        var model = DockerfileModel.Parse("FROM --platform=$TARGETPLATFORM busybox\nARG TARGETARCH TARGETVARIANT\nLABEL arch=$TARGETARCH/$TARGETVARIANT\n");
        var arguments = new BuildArguments(null, new PlatformArgs("linux", "arm", "v7"));
        var globals = arguments.EvaluateGlobals(model);
        Assert.Equal("linux/arm/v7", BuildArguments.ExpandFrom(model, model.Stages[0].From, globals).Platform);
        var variables = arguments.BeginStage(model, globals, []);
        variables.Apply((ArgInstruction)model.Stages[0].Instructions[0]);
        var label = (LabelInstruction)variables.Expand(model.Stages[0].Instructions[1]);
        Assert.Equal(new KeyValue("arch", "arm/v7"), label.Pairs[0]);
    }
}
