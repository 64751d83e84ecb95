using PSContainers.Core.Containers;
using PSContainers.Core.Images.Oci;

namespace PSContainers.Core.Images;

/// <summary>Applies an image's run defaults to a create request the way docker run does.</summary>
/// <remarks>
/// Command: Entrypoint + Cmd, where arguments after the image replace Cmd and -Entrypoint replaces Entrypoint and drops
/// the image's Cmd. Env: the image's, then the request's by name. WorkingDir, User and StopSignal: the request's, else
/// the image's. Labels: the image's, overridden by the request's. ExposedPorts are recorded.
/// </remarks>
public static class ImageRunDefaults
{
    public static void Apply(ContainerCreateRequest request, ImageConfig image)
    {
        var config = image.Config ?? new ImageRunConfig();
        var entrypoint = request.Entrypoint is { } e ? e.Where(a => a.Length > 0).ToList() : config.Entrypoint ?? [];
        var cmd = request.Command.Count > 0 ? request.Command : request.Entrypoint is not null ? [] : config.Cmd ?? [];
        request.Command = [.. entrypoint, .. cmd];

        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in config.Env ?? [])
        {
            var eq = item.IndexOf('=');
            if (eq > 0)
            {
                env[item[..eq]] = item[(eq + 1)..];
            }
        }

        foreach (var (name, value) in request.Environment)
        {
            env[name] = value;
        }

        request.Environment = env;
        if (string.IsNullOrEmpty(request.WorkingDirectory) && !string.IsNullOrEmpty(config.WorkingDir))
        {
            request.WorkingDirectory = config.WorkingDir;
        }

        if (string.IsNullOrEmpty(request.User) && !string.IsNullOrEmpty(config.User))
        {
            request.User = config.User;
        }

        if (string.IsNullOrEmpty(request.StopSignal) && !string.IsNullOrEmpty(config.StopSignal))
        {
            request.StopSignal = config.StopSignal;
        }

        if (config.Labels is { Count: > 0 } labels)
        {
            var merged = new Dictionary<string, string>(labels);
            foreach (var (k, v) in request.Labels)
            {
                merged[k] = v;
            }

            request.Labels = merged;
        }

        request.Healthcheck = Containers.HealthcheckRules.Merge(request.Healthcheck, config.Healthcheck);
        // Ports the caller exposes (the API's Config.ExposedPorts, docker run --expose) add to the image's.
        var exposed = (config.ExposedPorts?.Keys.AsEnumerable() ?? []).Concat(request.ExposedPorts ?? []).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        request.ExposedPorts = exposed.Count > 0 ? exposed : null;
        request.ImageVolumes = config.Volumes?.Keys.OrderBy(p => p, StringComparer.Ordinal).ToList();
    }
}
