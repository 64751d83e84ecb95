using System.Formats.Tar;
using System.Text;
using PSContainers.Core.Build.Parser;
using PSContainers.Core.Containers;
using PSContainers.Core.Images;
using PSContainers.Core.Images.Archive;
using PSContainers.Core.Images.Oci;
using PSContainers.Core.Tests.Build;
using PSContainers.Tests.Fuzz;
using Xunit.Abstractions;
using SysTarEntry = System.Formats.Tar.TarEntry;
using TarEntry = PSContainers.Core.Images.Archive.TarEntry;

namespace PSContainers.Core.Tests.Fuzz;

// Hostile input for the engine's parsers: Dockerfiles, image references, manifests, indexes and image configs as a
// pull reads them, and layer tars. Each may refuse an input only with its documented error type, in bounded time
// and memory. The budget per target is PSC_FUZZ_SECONDS (default 10 s).
public sealed class CoreFuzzTests(ITestOutputHelper output)
{
    private static readonly string[] JsonTokens =
    [
        "{", "}", "[", "]", ",", ":", "null", "true", "false", "\"\"", "\"schemaVersion\"", "\"mediaType\"", "\"manifests\"", "\"config\"",
        "\"layers\"", "\"digest\"", "\"size\"", "\"platform\"", "\"architecture\"", "\"os\"", "\"variant\"", "\"rootfs\"", "\"diff_ids\"",
        "\"Env\"", "\"Entrypoint\"", "\"Cmd\"", "\"User\"", "\"WorkingDir\"", "\"ExposedPorts\"", "\"Volumes\"", "\"Healthcheck\"",
        "\"sha256:", "\"sha512:", "\"application/vnd.oci.image.index.v1+json\"", "\"application/vnd.oci.image.manifest.v1+json\"",
        "\"application/vnd.docker.distribution.manifest.list.v2+json\"", "\"application/vnd.docker.distribution.manifest.v2+json\"",
        "\\u0000", "\\ud800", "1e400", "-1", "\"urls\"", "\"annotations\"",
    ];

    private void Run(FuzzRunner runner)
    {
        Assert.NotEmpty(runner.Corpus);
        var (inputs, failure) = runner.Run();
        output.WriteLine($"fuzz {runner.Name}: {inputs} inputs in {FuzzRunner.Budget.TotalSeconds} s budget, {(failure is null ? 0 : 1)} crash(es)");
        Assert.True(failure is null, failure);
        Assert.True(inputs > runner.Corpus.Count, "the budget ran out before any mutation ran");
    }

    [Fact]
    public void DockerfileParser()
    {
        var corpus = Directory.GetDirectories(GoldenDockerfiles()).Order(StringComparer.Ordinal)
            .Select(d => File.ReadAllBytes(Path.Combine(d, "Dockerfile"))).Concat(FuzzRunner.LoadCorpus("dockerfile")).ToList();
        Run(new FuzzRunner
        {
            Name = "dockerfile",
            Corpus = corpus,
            Dictionary = ["\\\n", "`\n", "<<EOF\n", "EOF\n", "# escape=`\n", "# syntax=x\n", "${A:-", "${A:+", "}", "FROM ", "RUN ", "COPY --from=", "ARG ", "ENV ", "ONBUILD ", "HEALTHCHECK ", " AS ", "--mount=type=cache,target=", "\r\n"],
            Target = input => ParserFuzzTests.Survive(Encoding.UTF8.GetString(input)),
            IsDocumentedError = e => e is DockerfileParseException,
        });
    }

    [Fact]
    public void ImageReferences()
    {
        Run(new FuzzRunner
        {
            Name = "image-reference",
            Corpus = FuzzRunner.LoadCorpus("image-reference"),
            Dictionary = ["/", ":", "@", "sha256:", "localhost:5000/", "docker.io/library/", ".", "-", "_", "__", "A", "0"],
            Target = input =>
            {
                var text = Encoding.UTF8.GetString(input).Trim();
                if (ImageReference.TryParse(text, out var parsed, out var error))
                {
                    // What a parsed reference promises: it prints and parses back to itself.
                    var again = ImageReference.Parse(parsed.ToString());
                    Assert.Equal(parsed.ToString(), again.ToString());
                    _ = parsed.FamiliarName;
                }
                else
                {
                    Assert.False(string.IsNullOrEmpty(error));
                    ImageReference.Parse(text);
                }

                Digest.TryParse(text, out _, out _);
            },
            IsDocumentedError = e => e is ContainerEngineException { ErrorId: "InvalidReference" },
        });
    }

    [Fact]
    public void ManifestsAndIndexes()
    {
        Run(new FuzzRunner
        {
            Name = "manifest",
            Corpus = FuzzRunner.LoadCorpus("manifest"),
            Dictionary = JsonTokens,
            Target = input => ReadAsPullDoes(input),
            IsDocumentedError = e => e is ContainerEngineException,
        });
    }

    [Fact]
    public void ImageConfigs()
    {
        Run(new FuzzRunner
        {
            Name = "image-config",
            Corpus = FuzzRunner.LoadCorpus("image-config"),
            Dictionary = JsonTokens,
            Target = input =>
            {
                var digest = Digest.Compute(input);
                var config = ImageService.ParseConfig(input, digest);
                foreach (var diffId in config.RootFs.DiffIds)
                {
                    Digest.TryParse(diffId, out _);
                }

                var request = new ContainerCreateRequest { Image = "fuzz" };
                ImageRunDefaults.Apply(request, config);
            },
            IsDocumentedError = e => e is ContainerEngineException,
        });
    }

    [Fact]
    public void LayerTarReader()
    {
        Run(new FuzzRunner
        {
            Name = "tar",
            Corpus = [.. SeedTars(), .. FuzzRunner.LoadCorpus("tar")],
            Dictionary = ["ustar\0", "ustar  \0", "././@LongLink", "path=", "linkpath=", "size=", "GNU.sparse.map=", "GNU.sparse.realsize=", "GNU.sparse.major=1\n", "SCHILY.xattr.", "30 ", "\n"],
            MaxInputBytes = 256 * 1024,
            Target = input =>
            {
                var reader = new LayerTarReader(new ArrayChunkSource(input), CancellationToken.None);
                var entry = new TarEntry();
                for (var entries = 0; reader.Next(entry); entries++)
                {
                    Assert.True(entries < 100_000, "more entries than the input has blocks");
                    while (reader.ReadData(64 * 1024).Length > 0)
                    {
                    }
                }

                reader.Drain();
            },
            IsDocumentedError = e => e is ContainerEngineException { ErrorId: "LayerInvalid" },
        });
    }

    private static string GoldenDockerfiles([System.Runtime.CompilerServices.CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(source)!, "..", "Build", "testdata");

    /// <summary>What a pull does with a manifest it was sent: probe it, then read it as an index or a manifest and walk what it names.</summary>
    private static void ReadAsPullDoes(byte[] bytes)
    {
        var digest = Digest.Compute(bytes);
        var probe = ImageService.Deserialize(bytes, OciJsonContext.Default.ManifestProbe, digest);
        if (MediaTypes.IsIndex(probe.MediaType) || probe.Manifests is not null)
        {
            var index = ImageService.ParseIndex(bytes, digest);
            var runnable = index.Manifests.Where(m => MediaTypes.IsManifest(m.MediaType) || string.IsNullOrEmpty(m.MediaType)).ToList();
            if (PlatformSpec.Default.Select(runnable) is { } chosen)
            {
                _ = chosen.ParsedDigest;
            }

            foreach (var m in runnable.Where(m => m.Platform is not null))
            {
                _ = m.Platform!.ToString();
            }
        }
        else
        {
            var manifest = ImageService.ParseManifest(bytes, digest);
            _ = manifest.Config.ParsedDigest;
            foreach (var layer in manifest.Layers.Where(l => MediaTypes.IsLayer(l.MediaType) || string.IsNullOrEmpty(l.MediaType)))
            {
                _ = layer.ParsedDigest;
            }
        }
    }

    /// <summary>Small tars of every header kind the reader knows, made here so the seeds are deterministic.</summary>
    private static IEnumerable<byte[]> SeedTars()
    {
        foreach (var format in new[] { TarEntryFormat.Ustar, TarEntryFormat.Pax, TarEntryFormat.Gnu, TarEntryFormat.V7 })
        {
            using var stream = new MemoryStream();
            using (var writer = new TarWriter(stream, format, leaveOpen: true))
            {
                writer.WriteEntry(NewEntry(format, TarEntryType.Directory, "etc/"));
                var file = NewEntry(format, format == TarEntryFormat.V7 ? TarEntryType.V7RegularFile : TarEntryType.RegularFile, "etc/hostname");
                file.DataStream = new MemoryStream(Encoding.ASCII.GetBytes("fuzz\n"));
                writer.WriteEntry(file);
                var longName = NewEntry(format, format == TarEntryFormat.V7 ? TarEntryType.V7RegularFile : TarEntryType.RegularFile, "usr/" + new string('a', 150) + "/file");
                longName.DataStream = new MemoryStream(new byte[700]);
                if (format is TarEntryFormat.Pax or TarEntryFormat.Gnu)
                {
                    writer.WriteEntry(longName);
                }

                var link = NewEntry(format, TarEntryType.SymbolicLink, "bin/sh");
                link.LinkName = "/bin/busybox";
                writer.WriteEntry(link);
                var hard = NewEntry(format, TarEntryType.HardLink, "bin/ls");
                hard.LinkName = "bin/busybox";
                writer.WriteEntry(hard);
                if (format != TarEntryFormat.V7)
                {
                    writer.WriteEntry(NewEntry(format, TarEntryType.CharacterDevice, "dev/null"));
                    writer.WriteEntry(NewEntry(format, TarEntryType.RegularFile, "etc/.wh..wh..opq"));
                }

                if (format == TarEntryFormat.Pax)
                {
                    var pax = new PaxTarEntry(TarEntryType.RegularFile, "xattr", new Dictionary<string, string> { ["SCHILY.xattr.user.k"] = "v", ["mtime"] = "1.5" })
                    {
                        ModificationTime = new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero),
                    };
                    writer.WriteEntry(pax);
                }
            }

            yield return stream.ToArray();
        }
    }

    private static SysTarEntry NewEntry(TarEntryFormat format, TarEntryType type, string name)
    {
        SysTarEntry entry = format switch
        {
            TarEntryFormat.Ustar => new UstarTarEntry(type, name),
            TarEntryFormat.Pax => new PaxTarEntry(type, name),
            TarEntryFormat.Gnu => new GnuTarEntry(type, name),
            _ => new V7TarEntry(type, name),
        };
        // The writer stamps the current time otherwise, and the seeds must be the same on every run.
        entry.ModificationTime = new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero);
        return entry;
    }

    /// <summary>Hands out an array in 4 KiB chunks, as the decompressor does.</summary>
    private sealed class ArrayChunkSource(byte[] data) : IChunkSource
    {
        private int _offset;

        public bool TryTake(out byte[] buffer, out int length, CancellationToken cancellationToken)
        {
            length = Math.Min(4096, data.Length - _offset);
            buffer = new byte[Math.Max(length, 1)];
            if (length <= 0)
            {
                length = 0;
                return false;
            }

            data.AsSpan(_offset, length).CopyTo(buffer);
            _offset += length;
            return true;
        }

        public void Return(byte[] buffer)
        {
        }
    }
}
