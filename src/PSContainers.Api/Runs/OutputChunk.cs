namespace PSContainers.Api.Runs;

/// <summary>Output of a container or exec: the stream (MultiplexedStream.Stdout or Stderr) and the bytes.</summary>
internal readonly record struct OutputChunk(byte Stream, byte[] Data);
