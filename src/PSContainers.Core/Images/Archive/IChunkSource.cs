namespace PSContainers.Core.Images.Archive;

/// <summary>Hands out a tar stream in chunks the reader can slice without copying.</summary>
internal interface IChunkSource
{
    bool TryTake(out byte[] buffer, out int length, CancellationToken cancellationToken);

    void Return(byte[] buffer);
}
