using System.Text;
using System.Text.Json;
using PSContainers.Runtime.Spec;
using PSContainers.Tests.Fuzz;
using Xunit;
using Xunit.Abstractions;
using PSContainers.Runtime.Tests.Spec;
using OciSpec = PSContainers.Runtime.Spec.Spec;

namespace PSContainers.Runtime.Tests.Fuzz;

// Hostile config.json for the OCI config reader: SpecLoader may refuse an input only with SpecException, and the
// serializer-free SpecFastReader must either step aside or read exactly what the serializer reads. The budget is
// PSC_FUZZ_SECONDS per target (default 10 s).
public sealed class SpecFuzzTests(ITestOutputHelper output)
{
    private static readonly string[] Tokens =
    [
        "{", "}", "[", "]", ",", ":", "null", "true", "false", "\"\"", "\"ociVersion\"", "\"1.0.2\"", "\"1.3.0\"", "\"process\"", "\"args\"",
        "\"env\"", "\"cwd\"", "\"user\"", "\"uid\"", "\"gid\"", "\"root\"", "\"path\"", "\"mounts\"", "\"destination\"", "\"type\"", "\"source\"",
        "\"options\"", "\"linux\"", "\"namespaces\"", "\"resources\"", "\"memory\"", "\"limit\"", "\"cpu\"", "\"devices\"", "\"rlimits\"",
        "\"capabilities\"", "\"hooks\"", "\"seccomp\"", "\"uidMappings\"", "\"annotations\"", "\"consoleSize\"", "-1", "1e400", "\\u0000",
    ];

    [Fact]
    public void OciConfigReader()
    {
        var corpus = new List<byte[]>
        {
            Encoding.UTF8.GetBytes(SpecSamples.RuncSpec),
            Encoding.UTF8.GetBytes(SpecSamples.Everything),
            Encoding.UTF8.GetBytes(SpecLoader.Serialize(DefaultSpecs.ForRuncSpecCommand())),
            Encoding.UTF8.GetBytes(SpecLoader.Serialize(DefaultSpecs.ForEngine("/rootfs", ["sh", "-c", "echo hi"], "host"))),
        };
        corpus.AddRange(FuzzRunner.LoadCorpus("oci-config"));
        var runner = new FuzzRunner
        {
            Name = "oci-config",
            Corpus = corpus,
            Dictionary = Tokens,
            Target = input =>
            {
                var json = Encoding.UTF8.GetString(input);
                var fast = SpecFastReader.TryRead(json);
                OciSpec? slow = null;
                try
                {
                    slow = JsonSerializer.Deserialize(json, SpecJsonContext.Default.Spec);
                }
                catch (JsonException)
                {
                    // The serializer's refusal; SpecLoader turns it into a SpecException below.
                }

                if (fast is not null)
                {
                    Assert.NotNull(slow);
                    Assert.Equal(SpecLoader.Serialize(slow), SpecLoader.Serialize(fast));
                }

                SpecLoader.Parse(json);
            },
            IsDocumentedError = e => e is SpecException,
        };
        var (inputs, failure) = runner.Run();
        output.WriteLine($"fuzz oci-config: {inputs} inputs in {FuzzRunner.Budget.TotalSeconds} s budget, {(failure is null ? 0 : 1)} crash(es)");
        Assert.True(failure is null, failure);
    }
}
