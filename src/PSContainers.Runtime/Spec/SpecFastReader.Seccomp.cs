using System.Text.Json;

namespace PSContainers.Runtime.Spec;

// linux.seccomp: the engine and podman send one with every container, a few hundred names long, so leaving it
// to the serializer would cost every start the metadata this reader exists to avoid.
internal static partial class SpecFastReader
{
    private static LinuxSeccomp ReadSeccomp(JsonElement e)
    {
        var s = new LinuxSeccomp();
        Each(e, (name, v) =>
        {
            switch (name)
            {
                case "defaultAction": s.DefaultAction = Str(v); break;
                case "defaultErrnoRet": s.DefaultErrnoRet = v.GetUInt32(); break;
                case "architectures": s.Architectures = Strs(v); break;
                case "flags": s.Flags = Strs(v); break;
                case "listenerPath": s.ListenerPath = Str(v); break;
                case "listenerMetadata": s.ListenerMetadata = Str(v); break;
                case "syscalls": s.Syscalls = List(v, ReadSyscall); break;
                default: throw Unknown();
            }
        });
        return s;
    }

    private static LinuxSyscall ReadSyscall(JsonElement e)
    {
        var c = new LinuxSyscall();
        Each(e, (name, v) =>
        {
            switch (name)
            {
                case "names": c.Names = Strs(v); break;
                case "action": c.Action = Str(v); break;
                case "errnoRet": c.ErrnoRet = v.GetUInt32(); break;
                case "args": c.Args = List(v, ReadSeccompArg); break;
                default: throw Unknown();
            }
        });
        return c;
    }

    private static LinuxSeccompArg ReadSeccompArg(JsonElement e)
    {
        var a = new LinuxSeccompArg();
        Each(e, (name, v) =>
        {
            switch (name)
            {
                case "index": a.Index = v.GetUInt32(); break;
                case "value": a.Value = v.GetUInt64(); break;
                case "valueTwo": a.ValueTwo = v.GetUInt64(); break;
                case "op": a.Op = Str(v); break;
                default: throw Unknown();
            }
        });
        return a;
    }
}
