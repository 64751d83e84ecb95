using PSContainers.Core.Registry;

namespace PSContainers.Api.Images;

/// <summary>
/// Turns the engine's blob transfer reports into docker's pull or push progress lines (one id per blob, 12 hex
/// characters): "Pulling fs layer", "Downloading" with bytes, "Verifying Checksum", "Download complete",
/// "Extracting", "Pull complete" / "Already exists"; for a push "Pushing", "Pushed", "Layer already exists",
/// "Mounted from ...". Byte reports are thinned to about fifty per blob; state changes always pass.
/// </summary>
internal sealed class TransferLines(bool push, string? mountedFrom = null)
{
    private readonly Dictionary<string, (TransferState State, long Current)> _last = new(StringComparer.Ordinal);
    private readonly object _gate = new();

    /// <summary>The line for one report, or null when it adds nothing the client would show.</summary>
    public JsonMessage? Translate(TransferProgress report)
    {
        var id = ShortId(report.Digest);
        lock (_gate)
        {
            var seen = _last.TryGetValue(report.Digest, out var last);
            var byteReport = report.State is TransferState.Downloading or TransferState.Uploading or TransferState.Resuming or TransferState.Unpacking;
            if (byteReport && seen && last.State == report.State && report.Current < report.Total
                && report.Current - last.Current < Math.Max(512 << 10, report.Total / 50))
            {
                return null;
            }

            _last[report.Digest] = (report.State, report.Current);
            var detail = new JsonProgressDetail(report.Current, report.Total);
            return report.State switch
            {
                TransferState.Waiting => JsonMessage.OfStatus(push ? "Preparing" : "Pulling fs layer", id, JsonProgressDetail.Empty),
                TransferState.Downloading or TransferState.Resuming => JsonMessage.OfStatus("Downloading", id, detail),
                TransferState.Uploading => JsonMessage.OfStatus("Pushing", id, detail),
                TransferState.Verifying => JsonMessage.OfStatus("Verifying Checksum", id, JsonProgressDetail.Empty),
                TransferState.Unpacking => JsonMessage.OfStatus("Extracting", id, detail),
                TransferState.AlreadyExists => JsonMessage.OfStatus(push ? "Layer already exists" : "Already exists", id, JsonProgressDetail.Empty),
                TransferState.Mounted => JsonMessage.OfStatus(mountedFrom is null ? "Mounted from another repository" : "Mounted from " + mountedFrom, id, JsonProgressDetail.Empty),
                TransferState.Complete => JsonMessage.OfStatus(push ? "Pushed" : "Pull complete", id, JsonProgressDetail.Empty),
                _ => null,
            };
        }
    }

    /// <summary>docker's id for a blob: the first 12 hex characters of its digest.</summary>
    public static string ShortId(string digest)
    {
        var hex = digest.IndexOf(':') is var colon and >= 0 ? digest[(colon + 1)..] : digest;
        return hex.Length > 12 ? hex[..12] : hex;
    }
}
