namespace PSContainers.Core.Images;

/// <summary>Progress of long image work (unpack, import, export, pull) for Write-Progress: which item, bytes done of how many.</summary>
public sealed record ImageProgress(string Activity, string Item, long Current, long? Total);
