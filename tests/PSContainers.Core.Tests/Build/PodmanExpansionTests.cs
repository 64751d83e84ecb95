using System.Diagnostics;
using System.Text.Json;
using PSContainers.Core.Build.Instructions;

namespace PSContainers.Core.Tests.Build;

// The peer check: metadata-only Dockerfiles (FROM scratch, so nothing runs) built by podman, whose image config is
// compared with what our parser and variable scope make of the same text. Only inputs podman 4.3.1 reads as docker
// does are here; docs/dockerfile-syntax.md lists the ones it reads differently.
public sealed class PodmanExpansionTests : IDisposable
{
    private const string ScratchPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private static readonly Dictionary<string, (string Dockerfile, string[] BuildArgs)> Inputs = new()
    {
        ["env-old-value"] = ("FROM scratch\nENV a=1\nENV a=2 b=$a c=${a}\nENV d=\"$b $c\" e=$d\n", []),
        ["env-beats-arg"] = ("FROM scratch\nENV X=env\nARG X=arg\nARG Y=arg\nENV Y=env\nENV Z=$X-$Y\nLABEL z=$Z x=$X\n", []),
        ["quotes-and-escapes"] = ("FROM scratch\nENV A=\"two words\" B='single $A' C=\\\"esc\\\" D=a\\ b E=\"x\\\"y\" F='it'\\''s' G=\"$A\"'$A'\n", []),
        ["global-args"] = ("ARG TAG=latest\nARG NOVALUE\nFROM scratch\nLABEL t1=$TAG t2=${NOVALUE:-d}\nARG TAG\nLABEL t3=$TAG\n", []),
        ["build-args"] = ("ARG G=global\nFROM scratch\nARG A=default\nARG B\nARG G\nARG C=${A}-c\nLABEL a=$A b=${B:-unset} g=$G c=$C\n", ["A=given", "G=fromcli"]),
        ["colon-modifiers"] = ("FROM scratch\nENV E= S=v\nLABEL a=${U:-d} b=${E:-d} c=${S:+alt} d=${U:+alt} e=${E:+alt} f=${U:-x${S}y} g=${S:-${U:-z}}\n", []),
        ["metadata"] = ("FROM scratch\nENV D=/data P=8080 U=nobody SIG=SIGINT\nEXPOSE $P ${P}/udp 53\nWORKDIR /srv\nWORKDIR $D/sub\nWORKDIR rel\nUSER ${U}:${U}\nSTOPSIGNAL $SIG\nVOLUME $D /logs\nVOLUME [\"/a b\", \"/c\"]\n", []),
        ["continuations-and-comments"] = ("FROM scratch\nLABEL a=1 \\\n# a comment inside\n    b=2 \\\n\n    c=\"3 \\\n  4\"\n", []),
        ["legacy-env"] = ("FROM scratch\nENV LEGACY value with   spaces\nENV OTHER \"quoted value\"\n", []),
        ["unicode-and-odd-names"] = ("FROM scratch\nENV K=한국어 _u=under lower=l\nLABEL k=${K} u=$_u l=$lower m=$K_ n=$lower.x\n", []),
        ["keys-expand"] = ("FROM scratch\nENV N=name\nLABEL $N=v \"${N}2\"=w\nENV ${N}_env=x\n", []),
    };

    private readonly TempDirectory _directory = new();

    public static TheoryData<string> Cases() => new(Inputs.Keys.Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Cases))]
    public void PodmanBuildsTheConfigOurVariablesPredict(string name)
    {
        var (dockerfile, buildArgs) = Inputs[name];
        var context = Path.Combine(_directory.Path, name);
        Directory.CreateDirectory(context);
        File.WriteAllText(Path.Combine(context, "Dockerfile"), dockerfile);

        var tag = "localhost/psc-parser-test:" + name;
        var build = new List<string> { "build", "-q", "-t", tag };
        foreach (var arg in buildArgs)
        {
            build.AddRange(["--build-arg", arg]);
        }

        build.Add(context);
        Podman(build);
        using var config = JsonDocument.Parse(Podman(["image", "inspect", tag, "--format", "{{json .Config}}"]));
        var actual = config.RootElement;
        var expected = Predict(dockerfile, buildArgs);

        Assert.Equal(expected.Env, Strings(actual, "Env"));
        Assert.Equal(expected.Labels, Labels(actual));
        Assert.Equal(expected.Ports.Order(), Keys(actual, "ExposedPorts").Order());
        Assert.Equal(expected.Volumes.Order(), Keys(actual, "Volumes").Order());
        Assert.Equal(expected.User, Text(actual, "User"));
        Assert.Equal(expected.WorkingDir, Text(actual, "WorkingDir"));
        Assert.Equal(expected.StopSignal, Text(actual, "StopSignal"));
    }

    public void Dispose()
    {
        try
        {
            Podman(["rmi", "--all", "--force"]);
        }
        finally
        {
            _directory.Dispose();
        }
    }

    // What the instructions set, from our parser and StageVariables; the config rules (EXPOSE's /tcp, WORKDIR
    // relative to the last) are docker's and are the test's own.
    private static Prediction Predict(string dockerfile, string[] buildArgs)
    {
        var model = DockerfileModel.Parse(dockerfile);
        var arguments = new BuildArguments(buildArgs.Select(a => a.Split('=', 2)).ToDictionary(p => p[0], p => p[1]));
        var variables = arguments.BeginStage(model, arguments.EvaluateGlobals(model), [ScratchPath]);
        var prediction = new Prediction();
        foreach (var instruction in model.Stages[^1].Instructions)
        {
            switch (instruction)
            {
                case ArgInstruction arg:
                    variables.Apply(arg);
                    break;
                case EnvInstruction env:
                    variables.Apply(env);
                    break;
                default:
                    switch (variables.Expand(instruction))
                    {
                        case LabelInstruction label:
                            foreach (var pair in label.Pairs)
                            {
                                prediction.Labels[pair.Key] = pair.Value;
                            }

                            break;
                        case ExposeInstruction expose:
                            prediction.Ports.AddRange(expose.Ports.Select(p => p.Contains('/') ? p : p + "/tcp"));
                            break;
                        case VolumeInstruction volume:
                            prediction.Volumes.AddRange(volume.Paths);
                            break;
                        case WorkdirInstruction workdir:
                            prediction.WorkingDir = workdir.Path.StartsWith('/') ? workdir.Path : Path.Combine(prediction.WorkingDir ?? "/", workdir.Path);
                            break;
                        case UserInstruction user:
                            prediction.User = user.User;
                            break;
                        case StopSignalInstruction stop:
                            prediction.StopSignal = stop.Signal;
                            break;
                        default:
                            throw new InvalidOperationException($"the test has no rule for {instruction.Keyword}");
                    }

                    break;
            }
        }

        prediction.Env = variables.Environment.ToList();
        return prediction;
    }

    private string Podman(IEnumerable<string> args)
    {
        var info = new ProcessStartInfo("podman") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        var state = Path.Combine(_directory.Path, "podman");
        foreach (var a in new[] { "--root", Path.Combine(state, "root"), "--runroot", Path.Combine(state, "runroot"), "--tmpdir", Path.Combine(state, "tmp"), "--storage-driver", "vfs" }.Concat(args))
        {
            info.ArgumentList.Add(a);
        }

        // Our own containers.conf: the machine's /etc/containers is left alone (as the Pester peers do).
        var conf = Path.Combine(state, "containers.conf");
        if (!File.Exists(conf))
        {
            Directory.CreateDirectory(state);
            File.WriteAllText(conf, "[containers]\ndefault_ulimits = [\"nofile=20000:20000\", \"nproc=32768:32768\"]\n[engine]\ncgroup_manager = \"cgroupfs\"\nevents_logger = \"file\"\n");
        }

        info.Environment["CONTAINERS_CONF"] = conf;
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"podman {string.Join(' ', info.ArgumentList)} did not finish in 5 minutes");
        }

        Assert.True(process.ExitCode == 0, $"podman {string.Join(' ', info.ArgumentList)} failed: {error.Result}");
        return output.Result;
    }

    private static List<string> Strings(JsonElement config, string name) =>
        config.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().Select(e => e.GetString()!).ToList() : [];

    private static List<string> Keys(JsonElement config, string name) =>
        config.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object ? value.EnumerateObject().Select(p => p.Name).ToList() : [];

    private static string? Text(JsonElement config, string name) =>
        config.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString()!.Length > 0 ? value.GetString() : null;

    private static SortedDictionary<string, string> Labels(JsonElement config)
    {
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (config.TryGetProperty("Labels", out var value) && value.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in value.EnumerateObject().Where(p => p.Name != "io.buildah.version"))
            {
                labels[property.Name] = property.Value.GetString()!;
            }
        }

        return labels;
    }

    private sealed class Prediction
    {
        public List<string> Env { get; set; } = [];

        public SortedDictionary<string, string> Labels { get; } = new(StringComparer.Ordinal);

        public List<string> Ports { get; } = [];

        public List<string> Volumes { get; } = [];

        public string? WorkingDir { get; set; }

        public string? User { get; set; }

        public string? StopSignal { get; set; }
    }
}
