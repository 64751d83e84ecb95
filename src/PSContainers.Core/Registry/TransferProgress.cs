namespace PSContainers.Core.Registry;

/// <summary>Where one blob's transfer stands, for Write-Progress: bytes done of the total, and what is happening.</summary>
/// <param name="Digest">The blob (algorithm:hex).</param>
/// <param name="Current">Bytes transferred so far.</param>
/// <param name="Total">The blob's size.</param>
/// <param name="State">What the transfer is doing now.</param>
public sealed record TransferProgress(string Digest, long Current, long Total, TransferState State);
