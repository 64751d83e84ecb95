using Microsoft.Extensions.Logging;
using PSContainers.Core.Containers;

namespace PSContainers.Core.Images.Archive;

/// <summary>Unpacks one layer blob (tar, tar+gzip or tar+zstd) into an empty directory and checks its blob digest and diffID.</summary>
/// <remarks>The caller owns the directory: on any exception it must delete it, since a half-written layer is never used.</remarks>
public static class LayerUnpacker
{
    /// <param name="hashBlob">
    /// False when the caller verifies the blob digest itself (a pull hashes the bytes as they go to the content store):
    /// expectedBlob is then taken as the blob's digest, and only the diffID is computed here.
    /// </param>
    public static LayerUnpackResult Unpack(Stream blob, string targetDir, Digest? expectedBlob, Digest? expectedDiffId, ILogger log,
        IProgress<long>? progress = null, CancellationToken cancellationToken = default, bool hashBlob = true)
    {
        if (!hashBlob && expectedBlob is null)
        {
            throw new ArgumentException("A blob that is not hashed here needs its expected digest.", nameof(expectedBlob));
        }

        using var decoder = new ChunkedDecoder(blob, hashBlob ? expectedBlob?.Algorithm ?? Digest.Sha256 : null, expectedDiffId?.Algorithm ?? Digest.Sha256);
        using var writer = new LayerWriter(targetDir, log);
        var reader = new LayerTarReader(decoder, cancellationToken);
        var entry = new TarEntry();
        var reported = 0L;
        while (reader.Next(entry))
        {
            writer.Apply(entry, reader);
            if (progress is not null && decoder.CompressedBytes - reported > 1 << 20)
            {
                reported = decoder.CompressedBytes;
                progress.Report(reported);
            }
        }

        writer.Finish();
        reader.Drain();
        progress?.Report(decoder.CompressedBytes);
        var blobDigest = (hashBlob ? decoder.CompressedDigest : expectedBlob) ?? throw new InvalidOperationException("the layer decoder finished without a digest");
        var diffId = decoder.TarDigest!;
        if (expectedBlob is not null && blobDigest != expectedBlob)
        {
            throw new ContainerEngineException("DigestMismatch",
                $"The layer blob does not match its digest: expected {expectedBlob}, got {blobDigest}. The layer was not kept.", ContainerErrorKind.OperationFailed, expectedBlob.ToString());
        }

        if (expectedDiffId is not null && diffId != expectedDiffId)
        {
            throw new ContainerEngineException("DiffIdMismatch",
                $"The uncompressed layer does not match the image's diffID: expected {expectedDiffId}, got {diffId}. The layer was not kept.", ContainerErrorKind.OperationFailed, expectedDiffId.ToString());
        }

        log.LogDebug("unpacked {Blob} ({Compression}, {Entries} entries, {Size} bytes) into {Dir}", blobDigest, decoder.Compression, writer.Entries, writer.Size, targetDir);
        return new LayerUnpackResult(blobDigest, diffId, decoder.Compression, decoder.CompressedBytes, decoder.TarBytes, writer.Size, writer.Entries);
    }
}
