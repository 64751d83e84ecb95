namespace PSContainers.Core.State;

/// <summary>Writes files so a reader (or a crash) sees the old content or the new, never a torn one.</summary>
public static class AtomicFile
{
    public static void WriteAllText(string path, string text)
    {
        var temp = $"{path}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(text);
                writer.Flush();
                // Durable before it becomes visible: after a power cut the record is whole or absent.
                stream.Flush(flushToDisk: true);
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
