using System.Security.Cryptography;

namespace PSContainers.Core.Images;

/// <summary>A content digest "algorithm:hex" (sha256 or sha512) as OCI descriptors carry it; parsed strictly, compared by value.</summary>
public sealed record Digest
{
    public const string Sha256 = "sha256";
    public const string Sha512 = "sha512";

    private Digest(string algorithm, string hex)
    {
        Algorithm = algorithm;
        Hex = hex;
    }

    public string Algorithm { get; }

    /// <summary>The encoded part: lowercase hex, 64 characters for sha256 and 128 for sha512.</summary>
    public string Hex { get; }

    /// <summary>The first 12 hex characters, as docker shows ids.</summary>
    public string Short => Hex[..12];

    public static Digest Parse(string text) =>
        TryParse(text, out var digest, out var error) ? digest : throw new FormatException(error);

    public static bool TryParse(string? text, out Digest digest) => TryParse(text, out digest, out _);

    public static bool TryParse(string? text, out Digest digest, out string error)
    {
        digest = null!;
        if (string.IsNullOrEmpty(text))
        {
            error = "A digest must not be empty.";
            return false;
        }

        var colon = text.IndexOf(':');
        if (colon <= 0)
        {
            error = $"\"{text}\" is not a digest: expected algorithm:hex, e.g. sha256:<64 hex digits>.";
            return false;
        }

        var algorithm = text[..colon];
        var hex = text[(colon + 1)..];
        var length = algorithm switch { Sha256 => 64, Sha512 => 128, _ => -1 };
        if (length < 0)
        {
            error = $"The digest algorithm \"{algorithm}\" in \"{text}\" is not supported: use sha256 or sha512.";
            return false;
        }

        if (hex.Length != length || !hex.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f'))
        {
            error = $"\"{text}\" is not a valid {algorithm} digest: it needs exactly {length} lowercase hex digits.";
            return false;
        }

        digest = new Digest(algorithm, hex);
        error = "";
        return true;
    }

    /// <summary>A digest from an algorithm name and the raw hash bytes.</summary>
    public static Digest FromHash(string algorithm, ReadOnlySpan<byte> hash) => new(algorithm, Convert.ToHexStringLower(hash));

    public static Digest Compute(ReadOnlySpan<byte> data, string algorithm = Sha256) => algorithm switch
    {
        Sha256 => FromHash(Sha256, SHA256.HashData(data)),
        Sha512 => FromHash(Sha512, SHA512.HashData(data)),
        _ => throw new ArgumentException($"Unsupported digest algorithm \"{algorithm}\".", nameof(algorithm)),
    };

    public static Digest Compute(Stream stream, string algorithm = Sha256)
    {
        using var hasher = CreateHasher(algorithm);
        var buffer = new byte[1 << 16];
        int n;
        while ((n = stream.Read(buffer)) > 0)
        {
            hasher.AppendData(buffer, 0, n);
        }

        return FromHash(algorithm, hasher.GetHashAndReset());
    }

    public static IncrementalHash CreateHasher(string algorithm) => algorithm switch
    {
        Sha256 => IncrementalHash.CreateHash(HashAlgorithmName.SHA256),
        Sha512 => IncrementalHash.CreateHash(HashAlgorithmName.SHA512),
        _ => throw new ArgumentException($"Unsupported digest algorithm \"{algorithm}\".", nameof(algorithm)),
    };

    public IncrementalHash CreateHasher() => CreateHasher(Algorithm);

    /// <summary>Whether data hashes to this digest with this digest's algorithm.</summary>
    public bool Matches(ReadOnlySpan<byte> data) => Compute(data, Algorithm) == this;

    public override string ToString() => $"{Algorithm}:{Hex}";
}
