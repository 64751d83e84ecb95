namespace PSContainers.Runtime.Processes;

/// <summary>A null-terminated char*[] in unmanaged memory, built before a fork so the child only reads it.</summary>
internal sealed unsafe class NativeStringArray : IDisposable
{
    private readonly List<IntPtr> _strings = new();

    public NativeStringArray(IReadOnlyList<string> values)
    {
        Pointer = (byte**)NativeMemory.AllocZeroed((nuint)(values.Count + 1), (nuint)sizeof(byte*));
        for (var i = 0; i < values.Count; i++)
        {
            var bytes = Libc.Utf8(values[i]);
            var p = (byte*)NativeMemory.Alloc((nuint)bytes.Length);
            bytes.AsSpan().CopyTo(new Span<byte>(p, bytes.Length));
            Pointer[i] = p;
            _strings.Add((IntPtr)p);
        }
    }

    public byte** Pointer { get; private set; }

    public void Dispose()
    {
        foreach (var p in _strings)
        {
            NativeMemory.Free((void*)p);
        }

        _strings.Clear();
        if (Pointer != null)
        {
            NativeMemory.Free(Pointer);
            Pointer = null;
        }
    }
}
