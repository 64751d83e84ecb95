using PSContainers.Core.Containers;
using PSContainers.Runtime.Spec;

namespace PSContainers.Core.Security;

/// <summary>Applies docker's --security-opt values (seccomp, no-new-privileges; apparmor/label only as documented no-ops) and the default seccomp profile to a container's spec.</summary>
public static class SecurityOptions
{
    private const string Unconfined = "unconfined";

    /// <summary>Sets linux.seccomp and process.noNewPrivileges; call after the capabilities are final.</summary>
    public static void Apply(Spec spec, IReadOnlyList<string> securityOpts, bool privileged, Version? kernel = null)
    {
        string? seccomp = null;
        bool? noNewPrivileges = null;
        foreach (var option in securityOpts)
        {
            var eq = option.IndexOf('=');
            var key = eq < 0 ? option : option[..eq];
            var value = eq < 0 ? null : option[(eq + 1)..];
            switch (key)
            {
                case "seccomp" when !string.IsNullOrEmpty(value):
                    seccomp = value;
                    break;
                case "seccomp":
                    throw Invalid(option, "seccomp needs a value: seccomp=unconfined or seccomp=PATH of a Docker-format JSON profile.");
                case "no-new-privileges":
                    noNewPrivileges = value switch
                    {
                        null or "true" => true,
                        "false" => false,
                        _ => throw Invalid(option, "no-new-privileges takes true or false."),
                    };
                    break;
                // No LSM is in use for containers here: the only values that make sense are the ones that turn it off.
                case "apparmor" when value == Unconfined:
                case "label" when value == "disable":
                    break;
                case "apparmor":
                case "label":
                    throw Invalid(option, $"PSContainers does not apply AppArmor or SELinux labels; only apparmor=unconfined and label=disable are accepted (they change nothing).");
                default:
                    throw Invalid(option, $"unknown security option '{key}'; PSContainers knows seccomp=, no-new-privileges, apparmor=unconfined and label=disable.");
            }
        }

        var process = spec.Process!;
        if (noNewPrivileges is { } nnp)
        {
            process.NoNewPrivileges = nnp;
        }

        if (seccomp == Unconfined || (seccomp is null && privileged))
        {
            // docker run --privileged runs without a filter too; an explicit seccomp=PATH still applies.
            spec.Linux!.Seccomp = null;
            return;
        }

        var profile = seccomp is null ? SeccompProfiles.DefaultProfile : SeccompProfiles.Load(seccomp);
        var caps = process.Capabilities?.Bounding ?? [];
        spec.Linux!.Seccomp = SeccompProfiles.ToOci(profile, caps, kernel ?? SeccompProfiles.HostKernel());
        try
        {
            // Refuse now, at create, what the runtime would refuse later (NOTIFY, unknown actions or operators).
            Runtime.Seccomp.SeccompCompiler.Compile(spec.Linux.Seccomp);
        }
        catch (SpecException e)
        {
            throw ContainerEngineException.Invalid($"The seccomp profile {seccomp ?? "(default)"} cannot be applied: {e.Message}");
        }
    }

    private static ContainerEngineException Invalid(string option, string why) =>
        ContainerEngineException.Invalid($"-SecurityOpt '{option}': {why}", option);
}
