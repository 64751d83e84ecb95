namespace PSContainers.Core.Build.Instructions;

/// <summary>A platform as the predefined ARGs spell it: TARGETOS, TARGETARCH, TARGETVARIANT and TARGETPLATFORM (os/arch[/variant]).</summary>
public sealed record PlatformArgs(string OS, string Architecture, string Variant = "")
{
    public string Platform => Variant.Length == 0 ? $"{OS}/{Architecture}" : $"{OS}/{Architecture}/{Variant}";
}
