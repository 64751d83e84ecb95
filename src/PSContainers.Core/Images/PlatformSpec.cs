using System.Runtime.InteropServices;
using PSContainers.Core.Containers;
using PSContainers.Core.Images.Oci;

namespace PSContainers.Core.Images;

/// <summary>A wanted platform "os/arch[/variant]" and the choice of the best manifest for it from an index.</summary>
public sealed record PlatformSpec(string Os, string Architecture, string? Variant)
{
    /// <summary>linux and this machine's architecture (amd64 here), as docker pulls by default.</summary>
    public static PlatformSpec Default { get; } = new("linux", HostArchitecture(), HostArchitecture() == "arm64" ? "v8" : null);

    /// <summary>Parses os/arch[/variant] with docker's aliases (x86_64 = amd64, aarch64 = arm64, armhf = arm/v7).</summary>
    public static PlatformSpec Parse(string text)
    {
        var parts = (text ?? "").Trim().ToLowerInvariant().Split('/');
        if (parts.Length is < 2 or > 3 || parts.Any(p => p.Length == 0))
        {
            throw ContainerEngineException.Invalid($"Invalid platform \"{text}\": use os/arch[/variant], e.g. linux/amd64 or linux/arm/v7.", text);
        }

        var (arch, variant) = NormalizeArchitecture(parts[1], parts.Length == 3 ? parts[2] : null);
        return new PlatformSpec(parts[0], arch, variant);
    }

    public static (string Architecture, string? Variant) NormalizeArchitecture(string architecture, string? variant)
    {
        var arch = architecture.ToLowerInvariant();
        var v = string.IsNullOrEmpty(variant) ? null : variant.ToLowerInvariant();
        switch (arch)
        {
            case "x86_64" or "x86-64" or "amd64":
                return ("amd64", v is "v1" ? null : v);
            case "aarch64" or "arm64":
                return ("arm64", v is null or "8" ? "v8" : v);
            case "armhf":
                return ("arm", "v7");
            case "armel":
                return ("arm", "v6");
            case "arm":
                return ("arm", v switch { null => "v7", "5" or "6" or "7" or "8" => "v" + v, _ => v });
            case "i386" or "i686" or "386":
                return ("386", v);
            default:
                return (arch, v);
        }
    }

    /// <summary>Whether an index entry's platform runs here: same os and architecture, and a compatible variant.</summary>
    public bool Matches(OciPlatform? platform) => Score(platform) >= 0;

    /// <summary>The index entry that best fits: exact variant first, then the closest lower one (arm v7 runs v6 and v5).</summary>
    public OciDescriptor? Select(IEnumerable<OciDescriptor> manifests)
    {
        OciDescriptor? best = null;
        var bestScore = -1;
        foreach (var m in manifests)
        {
            var score = Score(m.Platform);
            if (score > bestScore)
            {
                best = m;
                bestScore = score;
            }
        }

        return best;
    }

    // -1: no match; higher is better. An entry without a platform matches nothing (attestations carry unknown/unknown).
    private int Score(OciPlatform? platform)
    {
        if (platform is null || !platform.Os.Equals(Os, StringComparison.OrdinalIgnoreCase))
        {
            return -1;
        }

        var (arch, variant) = NormalizeArchitecture(platform.Architecture, platform.Variant);
        if (arch != Architecture)
        {
            return -1;
        }

        if (Variant is null || variant is null)
        {
            return Variant == variant ? 100 : 50;
        }

        if (variant == Variant)
        {
            return 100;
        }

        // A lower variant of the same architecture still runs (arm/v7 runs arm/v6 images).
        if (VariantNumber(variant) is { } have && VariantNumber(Variant) is { } want && have < want)
        {
            return 10 + have;
        }

        return -1;
    }

    private static int? VariantNumber(string variant) =>
        variant.Length > 1 && variant[0] == 'v' && int.TryParse(variant.AsSpan(1), out var n) ? n : null;

    private static string HostArchitecture() => RuntimeInformation.OSArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.X64 => "amd64",
        System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
        System.Runtime.InteropServices.Architecture.Arm => "arm",
        System.Runtime.InteropServices.Architecture.X86 => "386",
        System.Runtime.InteropServices.Architecture.S390x => "s390x",
        System.Runtime.InteropServices.Architecture.Ppc64le => "ppc64le",
        System.Runtime.InteropServices.Architecture.RiscV64 => "riscv64",
        _ => RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant(),
    };

    public override string ToString() => Variant is null ? $"{Os}/{Architecture}" : $"{Os}/{Architecture}/{Variant}";
}
