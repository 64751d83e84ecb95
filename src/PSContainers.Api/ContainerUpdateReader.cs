using System.Text.Json;
using PSContainers.Core.Containers;

namespace PSContainers.Api;

/// <summary>The body of POST /containers/{id}/update (docker update): resource limits the engine changes live; anything else is refused by name.</summary>
internal static class ContainerUpdateReader
{
    private static readonly HashSet<string> Handled =
    [
        "Memory", "MemorySwap", "MemoryReservation", "NanoCpus", "CpuShares", "CpuQuota", "CpuPeriod", "CpusetCpus", "CpusetMems", "PidsLimit", "BlkioWeight",
    ];

    public static ContainerResources Read(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw ApiException.BadRequest("the request body must be a JSON object of resources");
        }

        ContainerCreateReader.RefuseUnknown(body, Handled, "");
        var r = new ContainerResources();
        r.Memory = Long(body, "Memory") is > 0 and var m ? m : null;
        r.MemorySwap = Long(body, "MemorySwap") is { } s && s != 0 ? s : null;
        r.MemoryReservation = Long(body, "MemoryReservation") is > 0 and var mr ? mr : null;
        r.CpuShares = Long(body, "CpuShares") is > 0 and var cs ? (ulong)cs : null;
        r.CpusetCpus = Str(body, "CpusetCpus");
        r.CpusetMems = Str(body, "CpusetMems");
        r.PidsLimit = Long(body, "PidsLimit") is { } p && p != 0 ? p : null;
        r.BlkioWeight = Long(body, "BlkioWeight") is > 0 and var w ? checked((ushort)w) : null;
        var nano = Long(body, "NanoCpus") ?? 0;
        var quota = Long(body, "CpuQuota") ?? 0;
        var period = Long(body, "CpuPeriod") ?? 0;
        if (nano > 0)
        {
            r.Cpus = nano / 1e9;
        }
        else if (quota > 0)
        {
            r.Cpus = quota / (double)(period > 0 ? period : 100_000);
        }
        else if (period > 0)
        {
            throw ApiException.BadRequest("CpuPeriod without CpuQuota is not supported: the engine sets the period with the quota (use NanoCpus)");
        }

        return r;
    }

    private static long? Long(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : null;

    private static string? Str(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString()!.Length > 0 ? v.GetString() : null;
}
