namespace PSContainers.Core.Registry;

/// <summary>Limits of the registry client: parallelism, retries and backoff, timeouts, upload chunking.</summary>
public sealed record RegistryClientOptions
{
    public static RegistryClientOptions Default { get; } = new();

    /// <summary>Layers downloaded (or uploaded) at once.</summary>
    public int MaxParallelTransfers { get; init; } = 4;

    /// <summary>Tries of one request on 5xx, 429, timeouts and broken connections (the first try included).</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>Resumes of one blob download after broken transfers that made progress.</summary>
    public int MaxResumes { get; init; } = 20;

    /// <summary>The first retry's delay; each further one doubles, up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a request may wait for connection and response headers.</summary>
    public TimeSpan ResponseTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a body may stall without a byte before the transfer counts as broken.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Blobs up to this size are uploaded in one PUT; larger ones in PATCH chunks.</summary>
    public long MonolithicUploadLimit { get; init; } = 8 << 20;

    public int UploadChunkSize { get; init; } = 16 << 20;

    public string UserAgent { get; init; } = "PSContainers/0.1";
}
