using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using PSContainers.Core.Containers;
using PSContainers.Core.Images.Archive;
using PSContainers.Core.Images.Oci;
using PSContainers.Core.Images.Snapshots;

namespace PSContainers.Core.Images;

// docker load / docker import / docker save, in both archive formats.
public sealed partial class ImageService
{
    private const long SmallFileLimit = 4 << 20;

    /// <summary>
    /// Loads a docker-archive or oci-archive tar (optionally gzip-compressed), or with format RootFs makes a one-layer
    /// image from a root filesystem tarball with changes applied (docker import). tags name the result(s).
    /// </summary>
    public IReadOnlyList<ContainerImage> Import(string path, ImageArchiveFormat format, IReadOnlyCollection<string> tags, IReadOnlyCollection<string> changes,
        PlatformSpec? platform, string? message, IProgress<ImageProgress>? progress, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new ContainerEngineException("ArchiveNotFound", $"The file \"{path}\" does not exist.", ContainerErrorKind.NotFound, path);
        }

        using var lease = AcquireLease(cancellationToken);
        if (format == ImageArchiveFormat.Auto)
        {
            format = Detect(path);
        }

        IReadOnlyList<ContainerImage> images = format switch
        {
            ImageArchiveFormat.RootFs => [ImportRootFs(path, tags, changes, message, progress, cancellationToken)],
            _ => ImportArchive(path, format, tags, platform, progress, cancellationToken),
        };

        // docker load records "load", docker import "import".
        var events = new Events.EventService(Paths);
        foreach (var image in images)
        {
            events.Emit(Runtime.Events.EngineEvent.Image, format == ImageArchiveFormat.RootFs ? "import" : "load", image.Id,
                new Dictionary<string, string> { ["name"] = image.Names.FirstOrDefault() ?? image.Id });
        }

        return images;
    }

    private static ImageArchiveFormat Detect(string path)
    {
        try
        {
            using var stream = OpenMaybeGzip(path);
            using var reader = new TarReader(stream);
            for (var i = 0; i < 100_000 && reader.GetNextEntry() is { } entry; i++)
            {
                var name = entry.Name.TrimStart('.', '/');
                if (name is "oci-layout" or "index.json" && !entry.Name.Contains("/blobs/"))
                {
                    return ImageArchiveFormat.OciArchive;
                }

                if (name == "manifest.json")
                {
                    return ImageArchiveFormat.DockerArchive;
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            // A compressed rootfs (zstd) or a tar we cannot walk: try it as a layer.
        }

        return ImageArchiveFormat.RootFs;
    }

    private static Stream OpenMaybeGzip(string path)
    {
        var file = File.OpenRead(path);
        var head = new byte[2];
        var n = file.Read(head);
        file.Position = 0;
        return n == 2 && head[0] == 0x1f && head[1] == 0x8b ? new GZipStream(file, CompressionMode.Decompress) : file;
    }

    private List<ContainerImage> ImportArchive(string path, ImageArchiveFormat format, IReadOnlyCollection<string> tags, PlatformSpec? platform,
        IProgress<ImageProgress>? progress, CancellationToken cancellationToken)
    {
        // One pass: small JSON files are kept in memory, everything else goes into the content store as it streams by.
        var small = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var blobs = new Dictionary<string, (Digest Digest, long Size)>(StringComparer.Ordinal);
        var total = new FileInfo(path).Length;
        using (var file = File.OpenRead(path))
        using (var stream = OpenMaybeGzip(path))
        using (var reader = new TarReader(stream))
        {
            while (reader.GetNextEntry() is { } entry)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null)
                {
                    continue;
                }

                var name = NormalizeArchiveName(entry.Name);
                progress?.Report(new ImageProgress("Importing " + Path.GetFileName(path), name, Position(stream), total));
                if (entry.Length <= SmallFileLimit && (name.EndsWith(".json", StringComparison.Ordinal) || name is "oci-layout" or "repositories" || name.StartsWith("blobs/", StringComparison.Ordinal) && entry.Length < 64 << 10))
                {
                    var bytes = new byte[entry.Length];
                    entry.DataStream.ReadExactly(bytes);
                    small[name] = bytes;
                    continue;
                }

                Digest? expected = null;
                if (name.StartsWith("blobs/", StringComparison.Ordinal))
                {
                    var parts = name.Split('/');
                    if (parts.Length == 3 && Digest.TryParse($"{parts[1]}:{parts[2]}", out var d))
                    {
                        expected = d;
                    }
                }

                using var writer = Content.OpenWriter(expected, entry.Length);
                entry.DataStream.CopyTo(writer, 1 << 20);
                blobs[name] = (writer.Commit(), entry.Length);
            }
        }

        Digest StoreFile(string name, Digest? expected = null)
        {
            name = NormalizeArchiveName(name);
            if (small.TryGetValue(name, out var bytes))
            {
                return Content.Ingest(bytes, expected);
            }

            if (blobs.TryGetValue(name, out var blob))
            {
                if (expected is not null && blob.Digest != expected)
                {
                    throw new ContainerEngineException("DigestMismatch", $"The archive member {name} does not match its digest {expected}.", ContainerErrorKind.OperationFailed, name);
                }

                return blob.Digest;
            }

            throw new ContainerEngineException("InvalidArchive", $"The archive does not contain {name}, which its manifest lists.", ContainerErrorKind.InvalidArgument, name);
        }

        var images = new List<ContainerImage>();
        if (format == ImageArchiveFormat.DockerArchive)
        {
            if (!small.TryGetValue("manifest.json", out var manifestJson))
            {
                throw new ContainerEngineException("InvalidArchive", $"{path} has no manifest.json: it is not a docker-archive.", ContainerErrorKind.InvalidArgument, path);
            }

            var entries = JsonSerializer.Deserialize(manifestJson, OciJsonContext.Default.ListDockerArchiveManifestEntry) ?? [];
            foreach (var item in entries)
            {
                var configDigest = StoreFile(item.Config);
                var layers = new List<OciDescriptor>();
                foreach (var layer in item.Layers)
                {
                    var digest = StoreFile(layer);
                    using var head = Content.OpenRead(digest);
                    var magic = new byte[4];
                    var n = head.Read(magic);
                    var mediaType = ChunkedDecoder.Detect(magic.AsSpan(0, n)) switch
                    {
                        LayerCompression.Gzip => MediaTypes.OciLayerGzip,
                        LayerCompression.Zstd => MediaTypes.OciLayerZstd,
                        _ => MediaTypes.OciLayer,
                    };
                    layers.Add(new OciDescriptor { MediaType = mediaType, Digest = digest.ToString(), Size = Content.GetSize(digest) ?? 0 });
                }

                var manifest = new OciManifest
                {
                    MediaType = MediaTypes.OciManifest,
                    Config = new OciDescriptor { MediaType = MediaTypes.OciConfig, Digest = configDigest.ToString(), Size = Content.GetSize(configDigest) ?? 0 },
                    Layers = layers,
                };
                var manifestDigest = Content.Ingest(JsonSerializer.SerializeToUtf8Bytes(manifest, OciJsonContext.Default.OciManifest));
                var names = (item.RepoTags ?? []).Concat(tags).ToList();
                images.Add(Register(manifestDigest, names, platform: platform, progress: progress, cancellationToken: cancellationToken));
            }
        }
        else
        {
            if (!small.TryGetValue("index.json", out var indexJson))
            {
                throw new ContainerEngineException("InvalidArchive", $"{path} has no index.json: it is not an oci-archive.", ContainerErrorKind.InvalidArgument, path);
            }

            // Every blob the layout holds goes into the store under its own digest (manifests, configs, nested indexes).
            foreach (var name in small.Keys.Where(k => k.StartsWith("blobs/", StringComparison.Ordinal)).ToList())
            {
                var parts = name.Split('/');
                if (parts.Length == 3 && Digest.TryParse($"{parts[1]}:{parts[2]}", out var d))
                {
                    StoreFile(name, d);
                }
            }

            var index = ParseIndex(indexJson, Digest.Compute(indexJson));
            foreach (var descriptor in index.Manifests)
            {
                var annotations = descriptor.Annotations ?? [];
                var names = new List<string>(tags);
                var refName = annotations.GetValueOrDefault("io.containerd.image.name") ?? annotations.GetValueOrDefault("org.opencontainers.image.ref.name");
                // A bare tag ("latest") names no repository: the image stays unnamed unless -Tag gives one.
                if (refName is not null && (refName.Contains('/') || refName.Contains(':')) && ImageReference.TryParse(refName, out var parsed, out _))
                {
                    names.Add(parsed.ToString());
                }

                images.Add(Register(descriptor.ParsedDigest, names, platform: platform, progress: progress, cancellationToken: cancellationToken));
            }
        }

        return images;
    }

    private static long Position(Stream stream)
    {
        try
        {
            return stream is GZipStream g ? g.BaseStream.Position : stream.Position;
        }
        catch (NotSupportedException)
        {
            return 0;
        }
    }

    private static string NormalizeArchiveName(string name)
    {
        var clean = name.Replace('\\', '/');
        while (clean.StartsWith("./", StringComparison.Ordinal))
        {
            clean = clean[2..];
        }

        return clean.TrimStart('/');
    }

    private ContainerImage ImportRootFs(string path, IReadOnlyCollection<string> tags, IReadOnlyCollection<string> changes, string? message,
        IProgress<ImageProgress>? progress, CancellationToken cancellationToken)
    {
        var runConfig = new ImageRunConfig { Env = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"] };
        ImageChanges.Apply(runConfig, changes);
        var total = new FileInfo(path).Length;
        Digest blob;
        using (var source = File.OpenRead(path))
        {
            blob = Content.IngestAsync(null, source, cancellationToken, null,
                new Progress<long>(done => progress?.Report(new ImageProgress("Importing " + Path.GetFileName(path), "layer", done, total)))).GetAwaiter().GetResult();
        }

        // Unpacking computes the diffID the config needs; the snapshot is committed under it.
        var (temp, lockFd) = Snapshots.BeginTemp();
        LayerUnpackResult result;
        try
        {
            using (var stream = Content.OpenRead(blob))
            {
                result = LayerUnpacker.Unpack(stream, Path.Combine(temp, "fs"), blob, null, _log, null, cancellationToken);
            }

            Snapshots.Commit(temp, result.DiffId, new SnapshotInfo
            {
                ChainId = result.DiffId.ToString(), DiffId = result.DiffId.ToString(), Blob = blob.ToString(), Size = result.Size, Entries = result.Entries,
                TarSize = result.TarBytes, Created = DateTimeOffset.UtcNow,
            });
        }
        finally
        {
            Snapshots.EndTemp(temp, lockFd);
        }

        var now = DateTimeOffset.UtcNow;
        var config = new ImageConfig
        {
            Created = now,
            Architecture = PlatformSpec.Default.Architecture,
            Os = "linux",
            Variant = PlatformSpec.Default.Variant,
            Config = runConfig,
            RootFs = new ImageRootFs { DiffIds = [result.DiffId.ToString()] },
            History = [new ImageHistoryEntry { Created = now, CreatedBy = "Import-ContainerImage " + Path.GetFileName(path), Comment = message ?? "Imported from " + Path.GetFileName(path) }],
        };
        var configBytes = JsonSerializer.SerializeToUtf8Bytes(config, OciJsonContext.Default.ImageConfig);
        var configDigest = Content.Ingest(configBytes);
        var manifest = new OciManifest
        {
            MediaType = MediaTypes.OciManifest,
            Config = new OciDescriptor { MediaType = MediaTypes.OciConfig, Digest = configDigest.ToString(), Size = configBytes.Length },
            Layers =
            [
                new OciDescriptor
                {
                    MediaType = result.Compression switch { LayerCompression.Gzip => MediaTypes.OciLayerGzip, LayerCompression.Zstd => MediaTypes.OciLayerZstd, _ => MediaTypes.OciLayer },
                    Digest = blob.ToString(),
                    Size = result.CompressedBytes,
                },
            ],
        };
        var manifestDigest = Content.Ingest(JsonSerializer.SerializeToUtf8Bytes(manifest, OciJsonContext.Default.OciManifest));
        return Register(manifestDigest, tags, progress: progress, cancellationToken: cancellationToken);
    }

    /// <summary>docker save: writes the images (each under the names it is asked by, or all its names when asked by id) to a tar.</summary>
    public void Export(IReadOnlyCollection<string> references, ImageArchiveFormat format, Stream destination, IProgress<ImageProgress>? progress, CancellationToken cancellationToken)
    {
        if (format is not (ImageArchiveFormat.DockerArchive or ImageArchiveFormat.OciArchive))
        {
            throw ContainerEngineException.Invalid("Export-ContainerImage writes docker-archive or oci-archive.");
        }

        var images = new List<(ResolvedImage Image, List<string> Names)>();
        foreach (var reference in references)
        {
            var image = Resolve(reference);
            var asked = ImageReference.TryParse(reference, out var r, out _) && r.Digest is null && image.Record.Names.Contains(r.ToString())
                ? [r.ToString()]
                : image.Record.Names.ToList();
            var existing = images.FindIndex(i => i.Image.Record.Config == image.Record.Config);
            if (existing >= 0)
            {
                images[existing].Names.AddRange(asked.Where(n => !images[existing].Names.Contains(n)));
            }
            else
            {
                images.Add((image, asked));
            }
        }

        var total = images.Sum(i => i.Image.Manifest.Layers.Sum(l => l.Size));
        long done = 0;
        using var writer = new TarWriter(destination, TarEntryFormat.Pax, leaveOpen: true);
        var written = new HashSet<string>(StringComparer.Ordinal);

        void AddBytes(string name, byte[] bytes)
        {
            if (written.Add(name))
            {
                using var data = new MemoryStream(bytes, writable: false);
                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = data, Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, ModificationTime = DateTimeOffset.UnixEpoch });
            }
        }

        void AddStream(string name, Stream data, long size, string item)
        {
            if (!written.Add(name))
            {
                return;
            }

            var counting = new SizedStream(data, size, n =>
            {
                done += n;
                progress?.Report(new ImageProgress("Exporting images", item, done, total));
            });
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = counting, Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, ModificationTime = DateTimeOffset.UnixEpoch });
        }

        if (format == ImageArchiveFormat.DockerArchive)
        {
            var entries = new List<DockerArchiveManifestEntry>();
            foreach (var (image, names) in images)
            {
                var configName = image.ConfigDigest.Hex + ".json";
                AddBytes(configName, Content.ReadAllBytes(image.ConfigDigest));
                var layerNames = new List<string>();
                var chainIds = image.Record.ChainIds;
                for (var i = 0; i < image.Manifest.Layers.Count; i++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var diffId = image.DiffIds[i];
                    var name = diffId.Hex + "/layer.tar";
                    layerNames.Add(name);
                    if (written.Contains(name))
                    {
                        continue;
                    }

                    // docker-archive layers are uncompressed tars whose digest is the diffID: decompress on the way out.
                    var blob = image.Manifest.Layers[i].ParsedDigest;
                    var info = i < chainIds.Count && Digest.TryParse(chainIds[i], out var c) ? Snapshots.Info(c) : null;
                    var size = info?.TarSize is > 0 ? info.TarSize : CountTar(blob);
                    using var tar = OpenTar(blob);
                    AddStream(name, tar, size, diffId.Short);
                }

                entries.Add(new DockerArchiveManifestEntry { Config = configName, RepoTags = names.Select(n => ImageReference.Parse(n).FamiliarName).ToList(), Layers = layerNames });
            }

            AddBytes("manifest.json", JsonSerializer.SerializeToUtf8Bytes(entries, OciJsonContext.Default.ListDockerArchiveManifestEntry));
        }
        else
        {
            AddBytes("oci-layout", JsonSerializer.SerializeToUtf8Bytes(new OciLayoutFile(), OciJsonContext.Default.OciLayoutFile));
            var index = new OciIndex { MediaType = MediaTypes.OciIndex };
            foreach (var (image, names) in images)
            {
                foreach (var layer in image.Manifest.Layers)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var d = layer.ParsedDigest;
                    using var blob = Content.OpenRead(d);
                    AddStream($"blobs/{d.Algorithm}/{d.Hex}", blob, blob.Length, d.Short);
                }

                AddBytes($"blobs/{image.ConfigDigest.Algorithm}/{image.ConfigDigest.Hex}", Content.ReadAllBytes(image.ConfigDigest));
                var manifestBytes = Content.ReadAllBytes(image.ManifestDigest);
                AddBytes($"blobs/{image.ManifestDigest.Algorithm}/{image.ManifestDigest.Hex}", manifestBytes);
                var platform = new OciPlatform { Os = image.Config.Os, Architecture = image.Config.Architecture, Variant = image.Config.Variant };
                var mediaType = image.Manifest.MediaType ?? MediaTypes.OciManifest;
                if (names.Count == 0)
                {
                    index.Manifests.Add(new OciDescriptor { MediaType = mediaType, Digest = image.ManifestDigest.ToString(), Size = manifestBytes.Length, Platform = platform });
                }

                foreach (var name in names)
                {
                    index.Manifests.Add(new OciDescriptor
                    {
                        MediaType = mediaType, Digest = image.ManifestDigest.ToString(), Size = manifestBytes.Length, Platform = platform,
                        Annotations = new Dictionary<string, string>
                        {
                            ["org.opencontainers.image.ref.name"] = name,
                            ["io.containerd.image.name"] = name,
                        },
                    });
                }
            }

            AddBytes("index.json", JsonSerializer.SerializeToUtf8Bytes(index, OciJsonContext.Default.OciIndex));
        }
    }

    private Stream OpenTar(Digest blob)
    {
        var stream = Content.OpenRead(blob);
        var head = new byte[4];
        var n = stream.Read(head);
        stream.Position = 0;
        return ChunkedDecoder.Detect(head.AsSpan(0, n)) switch
        {
            LayerCompression.Gzip => new GZipStream(stream, CompressionMode.Decompress),
            LayerCompression.Zstd => new ZstdSharp.DecompressionStream(stream),
            _ => stream,
        };
    }

    private long CountTar(Digest blob)
    {
        using var tar = OpenTar(blob);
        var buffer = new byte[1 << 20];
        long total = 0;
        int n;
        while ((n = tar.Read(buffer)) > 0)
        {
            total += n;
        }

        return total;
    }

    /// <summary>A stream of known length that reports what is read, so TarWriter writes the header first and streams the data (it buffers unseekable streams whole).</summary>
    private sealed class SizedStream(Stream inner, long length, Action<int>? read = null) : Stream
    {
        private long _position;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = inner.Read(buffer[..(int)Math.Min(buffer.Length, length - _position)]);
            _position += n;
            if (n > 0)
            {
                read?.Invoke(n);
            }

            return n;
        }

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
