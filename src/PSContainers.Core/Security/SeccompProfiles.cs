using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using PSContainers.Runtime.Spec;

namespace PSContainers.Core.Security;

/// <summary>Reads Docker-format seccomp profiles (ours embedded, or a user's file) and turns one into the OCI linux.seccomp for a container's capabilities.</summary>
public static class SeccompProfiles
{
    private const string DefaultResource = "PSContainers.Core.Security.default-seccomp.json";
    private const string HostArch = "amd64";
    private const string HostScmpArch = "SCMP_ARCH_X86_64";

    // A user's profile with a misspelt member must not be half-applied.
    private static readonly JsonSerializerOptions Json = new()
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    private static readonly Lazy<DockerSeccompProfile> Default = new(() =>
    {
        using var stream = typeof(SeccompProfiles).Assembly.GetManifestResourceStream(DefaultResource)
            ?? throw new InvalidOperationException($"the resource {DefaultResource} is missing from the assembly");
        return Parse(stream, "the default seccomp profile");
    });

    /// <summary>PSContainers' own default profile.</summary>
    public static DockerSeccompProfile DefaultProfile => Default.Value;

    public static DockerSeccompProfile Load(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return Parse(stream, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw ContainerEngineExceptionFor($"Cannot read the seccomp profile {path}: {e.Message}");
        }
    }

    public static DockerSeccompProfile Parse(Stream json, string source)
    {
        try
        {
            return JsonSerializer.Deserialize<DockerSeccompProfile>(json, Json)
                ?? throw ContainerEngineExceptionFor($"The seccomp profile {source} is empty.");
        }
        catch (JsonException e)
        {
            throw ContainerEngineExceptionFor($"The seccomp profile {source} is not a valid Docker seccomp profile: {e.Message}");
        }
    }

    /// <summary>The OCI linux.seccomp a container with these (bounding) capabilities gets from the profile.</summary>
    /// <param name="kernel">The host kernel's major.minor, for includes/excludes.minKernel.</param>
    public static LinuxSeccomp ToOci(DockerSeccompProfile profile, IEnumerable<string> capabilities, Version kernel)
    {
        if (string.IsNullOrEmpty(profile.DefaultAction))
        {
            throw ContainerEngineExceptionFor("The seccomp profile has no defaultAction.");
        }

        if (profile.DefaultErrno is { Length: > 0 } && profile.DefaultErrnoRet is null)
        {
            throw ContainerEngineExceptionFor($"The seccomp profile names defaultErrno '{profile.DefaultErrno}' without defaultErrnoRet, its number; give defaultErrnoRet.");
        }

        var caps = capabilities.Select(CapabilityNames.Normalize).ToHashSet(StringComparer.Ordinal);
        var oci = new LinuxSeccomp
        {
            DefaultAction = profile.DefaultAction,
            DefaultErrnoRet = profile.DefaultErrnoRet,
            Flags = profile.Flags is { Count: > 0 } ? [.. profile.Flags] : null,
            ListenerPath = profile.ListenerPath,
            ListenerMetadata = profile.ListenerMetadata,
            Syscalls = [],
        };

        if (profile.Architectures is { Count: > 0 } && profile.ArchMap is { Count: > 0 })
        {
            throw ContainerEngineExceptionFor("The seccomp profile has both 'architectures' and 'archMap'; use one.");
        }

        if (profile.ArchMap is { Count: > 0 })
        {
            var native = profile.ArchMap.FirstOrDefault(a => a.Architecture == HostScmpArch);
            if (native is not null)
            {
                oci.Architectures = [native.Architecture, .. native.SubArchitectures ?? []];
            }
        }
        else if (profile.Architectures is { Count: > 0 })
        {
            oci.Architectures = [.. profile.Architectures];
        }

        var rules = profile.Syscalls ?? [];
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            var names = rule.Names is { Count: > 0 } ? rule.Names : rule.Name is { Length: > 0 } n ? [n] : null;
            if (names is null)
            {
                throw ContainerEngineExceptionFor($"The seccomp profile's syscalls[{i}] names no syscall ('names').");
            }

            if (rule.Errno is { Length: > 0 } && rule.ErrnoRet is null)
            {
                throw ContainerEngineExceptionFor($"The seccomp profile's syscalls[{i}] names errno '{rule.Errno}' without errnoRet, its number; give errnoRet.");
            }

            if (!Applies(rule, caps, kernel, i))
            {
                continue;
            }

            oci.Syscalls.Add(new LinuxSyscall
            {
                Names = [.. names],
                Action = rule.Action,
                ErrnoRet = rule.ErrnoRet,
                Args = rule.Args is { Count: > 0 } ? [.. rule.Args] : null,
            });
        }

        return oci;
    }

    // Docker's rules: an exclude matching (any listed cap held, the arch listed, the kernel new enough) drops the
    // rule; an include must hold entirely (every listed cap held, the arch listed, the kernel new enough).
    private static bool Applies(DockerSeccompSyscall rule, HashSet<string> caps, Version kernel, int index)
    {
        if (rule.Excludes is { } ex)
        {
            if (ex.Arches is { Count: > 0 } && ex.Arches.Contains(HostArch))
            {
                return false;
            }

            if (ex.Caps is { Count: > 0 } && ex.Caps.Any(c => caps.Contains(Cap(c, index))))
            {
                return false;
            }

            if (ex.MinKernel is { } min && kernel >= KernelVersion(min, index))
            {
                return false;
            }
        }

        if (rule.Includes is { } inc)
        {
            if (inc.Arches is { Count: > 0 } && !inc.Arches.Contains(HostArch))
            {
                return false;
            }

            if (inc.Caps is { Count: > 0 } && !inc.Caps.All(c => caps.Contains(Cap(c, index))))
            {
                return false;
            }

            if (inc.MinKernel is { } min && kernel < KernelVersion(min, index))
            {
                return false;
            }
        }

        return true;
    }

    private static string Cap(string name, int index)
    {
        try
        {
            return CapabilityNames.Normalize(name);
        }
        catch (SpecException e)
        {
            throw ContainerEngineExceptionFor($"The seccomp profile's syscalls[{index}] names an unknown capability: {e.Message}");
        }
    }

    private static Version KernelVersion(string text, int index)
    {
        var parts = text.Split('.');
        if (parts.Length is < 1 or > 3 || !parts.All(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            throw ContainerEngineExceptionFor($"The seccomp profile's syscalls[{index}] minKernel '{text}' is not a kernel version like 4.8.");
        }

        return new Version(int.Parse(parts[0], CultureInfo.InvariantCulture), parts.Length > 1 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : 0);
    }

    /// <summary>The running kernel's major.minor, from uname's release ("6.18.0-1-amd64" -> 6.18).</summary>
    public static Version HostKernel()
    {
        var release = File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        var digits = release.Split('.', '-');
        return new Version(int.Parse(digits[0], CultureInfo.InvariantCulture), digits.Length > 1 && int.TryParse(digits[1], out var minor) ? minor : 0);
    }

    private static Containers.ContainerEngineException ContainerEngineExceptionFor(string message) => Containers.ContainerEngineException.Invalid(message);
}
