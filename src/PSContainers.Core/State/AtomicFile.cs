namespace PSContainers.Core.State;

/// <summary>Writes files so a reader (or a crash) sees the old content or the new, never a torn one.</summary>
public static class AtomicFile
{
    /// <summary>Replaces path with text atomically; durable (fsync before the rename) unless the caller says the file need not survive a power cut.</summary>
    public static void WriteAllText(string path, string text, bool durable = true)
    {
        var temp = $"{path}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(text);
                writer.Flush();
                // Durable before it becomes visible: after a power cut the record is whole or absent. A
                // kill -9 needs only the rename; the fsync (a journal commit) is for power cuts.
                if (durable)
                {
                    stream.Flush(flushToDisk: true);
                }
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }
}
