namespace PSContainers.Core.Registry;

/// <summary>The steps of one blob transfer, as docker pull and push show them.</summary>
public enum TransferState
{
    Waiting,
    Downloading,
    Uploading,
    Resuming,
    Verifying,
    Unpacking,
    AlreadyExists,
    Mounted,
    Complete,
}
