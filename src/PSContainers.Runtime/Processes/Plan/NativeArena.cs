namespace PSContainers.Runtime.Processes.Plan;

/// <summary>Unmanaged memory for a plan's strings and buffers, all freed together.</summary>
internal sealed unsafe class NativeArena : IDisposable
{
    private readonly List<IntPtr> _blocks = new();

    public byte* Bytes(int size)
    {
        var p = (byte*)NativeMemory.AllocZeroed((nuint)Math.Max(size, 1));
        _blocks.Add((IntPtr)p);
        return p;
    }

    public byte* Str(string s)
    {
        var bytes = Libc.Utf8(s);
        var p = Bytes(bytes.Length);
        bytes.AsSpan().CopyTo(new Span<byte>(p, bytes.Length));
        return p;
    }

    public byte** StrArray(IEnumerable<string> values)
    {
        var list = values.ToList();
        var array = (byte**)Bytes((list.Count + 1) * sizeof(byte*));
        for (var i = 0; i < list.Count; i++)
        {
            array[i] = Str(list[i]);
        }

        return array;
    }

    public T* Struct<T>() where T : unmanaged => (T*)Bytes(sizeof(T));

    public void Dispose()
    {
        foreach (var p in _blocks)
        {
            NativeMemory.Free((void*)p);
        }

        _blocks.Clear();
    }
}
