using System.Text.Json;

namespace PSContainers.Runtime.Spec;

/// <summary>Reads the common parts of a config.json straight from a JsonDocument, without serializer metadata.</summary>
/// <remarks>
/// Building System.Text.Json's metadata for the whole spec costs about 5 ms on first use under NativeAOT,
/// the largest single cost of `pscrun run`. This reader handles what runc's and the engine's configs hold;
/// anything else (an unknown member, a null, intelRdt, ...) makes it give up, and SpecLoader
/// falls back to the serializer, which then also produces the error messages.
/// </remarks>
internal static partial class SpecFastReader
{
    private sealed class GiveUp : Exception
    {
    }

    public static Spec? TryRead(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return ReadSpec(doc.RootElement);
        }
        catch (Exception e) when (e is GiveUp or JsonException or InvalidOperationException or FormatException or KeyNotFoundException)
        {
            return null;
        }
    }

    private static void Each(JsonElement e, Action<string, JsonElement> property)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            throw new GiveUp();
        }

        foreach (var p in e.EnumerateObject())
        {
            if (p.Value.ValueKind == JsonValueKind.Null)
            {
                throw new GiveUp();
            }

            property(p.Name, p.Value);
        }
    }

    private static List<T> List<T>(JsonElement e, Func<JsonElement, T> item)
    {
        if (e.ValueKind != JsonValueKind.Array)
        {
            throw new GiveUp();
        }

        var list = new List<T>(e.GetArrayLength());
        foreach (var x in e.EnumerateArray())
        {
            list.Add(item(x));
        }

        return list;
    }

    private static string Str(JsonElement e) => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw new GiveUp();

    private static List<string> Strs(JsonElement e) => List(e, Str);

    private static bool Bool(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw new GiveUp(),
    };

    private static Dictionary<string, string> Map(JsonElement e)
    {
        var d = new Dictionary<string, string>();
        Each(e, (k, v) => d[k] = Str(v));
        return d;
    }

    private static Exception Unknown() => new GiveUp();

    private static Spec ReadSpec(JsonElement e)
    {
        var s = new Spec();
        var sawVersion = false;
        Each(e, (name, v) =>
        {
            switch (name)
            {
                case "ociVersion": s.OciVersion = Str(v); sawVersion = true; break;
                case "process": s.Process = ReadProcess(v); break;
                case "root": s.Root = ReadRoot(v); break;
                case "hostname": s.Hostname = Str(v); break;
                case "domainname": s.Domainname = Str(v); break;
                case "mounts": s.Mounts = List(v, ReadMount); break;
                case "hooks": s.Hooks = ReadHooks(v); break;
                case "annotations": s.Annotations = Map(v); break;
                case "linux": s.Linux = ReadLinux(v); break;
                default: throw Unknown();
            }
        });
        return sawVersion ? s : throw new GiveUp();
    }

    private static Process ReadProcess(JsonElement e)
    {
        var p = new Process();
        Each(e, (name, v) =>
        {
            switch (name)
            {
                case "terminal": p.Terminal = Bool(v); break;
                case "consoleSize":
                    var box = new Box();
                    Each(v, (n, x) =>
                    {
                        switch (n)
                        {
                            case "height": box.Height = x.GetUInt32(); break;
                            case "width": box.Width = x.GetUInt32(); break;
                            default: throw Unknown();
                        }
                    });
                    p.ConsoleSize = box;
                    break;
                case "user": p.User = ReadUser(v); break;
                case "args": p.Args = Strs(v); break;
                case "commandLine": p.CommandLine = Str(v); break;
                case "env": p.Env = Strs(v); break;
                case "cwd": p.Cwd = Str(v); break;
                case "capabilities": p.Capabilities = ReadCapabilities(v); break;
                case "rlimits":
                    p.Rlimits = List(v, r =>
                    {
                        var l = new LinuxRlimit();
                        var hasType = false;
                        Each(r, (n, x) =>
                        {
                            switch (n)
                            {
                                case "type": l.Type = Str(x); hasType = true; break;
                                case "hard": l.Hard = x.GetUInt64(); break;
                                case "soft": l.Soft = x.GetUInt64(); break;
                                default: throw Unknown();
                            }
                        });
                        return hasType ? l : throw new GiveUp();
                    });
                    break;
                case "noNewPrivileges": p.NoNewPrivileges = Bool(v); break;
                case "apparmorProfile": p.ApparmorProfile = Str(v); break;
                case "oomScoreAdj": p.OomScoreAdj = v.GetInt32(); break;
                case "selinuxLabel": p.SelinuxLabel = Str(v); break;
                default: throw Unknown();
            }
        });
        return p;
    }

    private static User ReadUser(JsonElement e)
    {
        var u = new User();
        Each(e, (name, v) =>
        {
            switch (name)
            {
                case "uid": u.Uid = v.GetUInt32(); break;
                case "gid": u.Gid = v.GetUInt32(); break;
                case "umask": u.Umask = v.GetUInt32(); break;
                case "additionalGids": u.AdditionalGids = List(v, x => x.GetUInt32()); break;
                case "username": u.Username = Str(v); break;
                default: throw Unknown();
            }
        });
        return u;
    }

    private static LinuxCapabilities ReadCapabilities(JsonElement e)
    {
        var c = new LinuxCapabilities();
        Each(e, (name, v) =>
        {
            switch (name)
            {
                case "bounding": c.Bounding = Strs(v); break;
                case "effective": c.Effective = Strs(v); break;
                case "inheritable": c.Inheritable = Strs(v); break;
                case "permitted": c.Permitted = Strs(v); break;
                case "ambient": c.Ambient = Strs(v); break;
                default: throw Unknown();
            }
        });
        return c;
    }

    private static Root ReadRoot(JsonElement e)
    {
        var r = new Root();
        var hasPath = false;
        Each(e, (name, v) =>
        {
            switch (name)
            {
                case "path": r.Path = Str(v); hasPath = true; break;
                case "readonly": r.Readonly = Bool(v); break;
                default: throw Unknown();
            }
        });
        return hasPath ? r : throw new GiveUp();
    }

    private static Mount ReadMount(JsonElement e)
    {
        var m = new Mount();
        var hasDestination = false;
        Each(e, (name, v) =>
        {
            switch (name)
            {
                case "destination": m.Destination = Str(v); hasDestination = true; break;
                case "type": m.Type = Str(v); break;
                case "source": m.Source = Str(v); break;
                case "options": m.Options = Strs(v); break;
                default: throw Unknown();
            }
        });
        return hasDestination ? m : throw new GiveUp();
    }

    private static Hooks ReadHooks(JsonElement e)
    {
        var h = new Hooks();
        Each(e, (name, v) =>
        {
            var list = List(v, ReadHook);
            switch (name)
            {
                case "prestart": h.Prestart = list; break;
                case "createRuntime": h.CreateRuntime = list; break;
                case "createContainer": h.CreateContainer = list; break;
                case "startContainer": h.StartContainer = list; break;
                case "poststart": h.Poststart = list; break;
                case "poststop": h.Poststop = list; break;
                default: throw Unknown();
            }
        });
        return h;
    }

    private static Hook ReadHook(JsonElement e)
    {
        var h = new Hook();
        var hasPath = false;
        Each(e, (name, v) =>
        {
            switch (name)
            {
                case "path": h.Path = Str(v); hasPath = true; break;
                case "args": h.Args = Strs(v); break;
                case "env": h.Env = Strs(v); break;
                case "timeout": h.Timeout = v.GetInt32(); break;
                default: throw Unknown();
            }
        });
        return hasPath ? h : throw new GiveUp();
    }

    private static LinuxIdMapping ReadIdMapping(JsonElement e)
    {
        var m = new LinuxIdMapping();
        var seen = 0;
        Each(e, (name, v) =>
        {
            seen++;
            switch (name)
            {
                case "containerID": m.ContainerId = v.GetUInt32(); break;
                case "hostID": m.HostId = v.GetUInt32(); break;
                case "size": m.Size = v.GetUInt32(); break;
                default: throw Unknown();
            }
        });
        return seen == 3 ? m : throw new GiveUp();
    }

    private static Linux ReadLinux(JsonElement e)
    {
        var l = new Linux();
        Each(e, (name, v) =>
        {
            switch (name)
            {
                case "uidMappings": l.UidMappings = List(v, ReadIdMapping); break;
                case "gidMappings": l.GidMappings = List(v, ReadIdMapping); break;
                case "sysctl": l.Sysctl = Map(v); break;
                case "resources": l.Resources = ReadResources(v); break;
                case "cgroupsPath": l.CgroupsPath = Str(v); break;
                case "seccomp": l.Seccomp = ReadSeccomp(v); break;
                case "namespaces":
                    l.Namespaces = List(v, n =>
                    {
                        var ns = new LinuxNamespace();
                        var hasType = false;
                        Each(n, (k, x) =>
                        {
                            switch (k)
                            {
                                case "type": ns.Type = Str(x); hasType = true; break;
                                case "path": ns.Path = Str(x); break;
                                default: throw Unknown();
                            }
                        });
                        return hasType ? ns : throw new GiveUp();
                    });
                    break;
                case "devices":
                    l.Devices = List(v, d =>
                    {
                        var dev = new LinuxDevice();
                        var required = 0;
                        Each(d, (k, x) =>
                        {
                            switch (k)
                            {
                                case "path": dev.Path = Str(x); required++; break;
                                case "type": dev.Type = Str(x); required++; break;
                                case "major": dev.Major = x.GetInt64(); break;
                                case "minor": dev.Minor = x.GetInt64(); break;
                                case "fileMode": dev.FileMode = x.GetUInt32(); break;
                                case "uid": dev.Uid = x.GetUInt32(); break;
                                case "gid": dev.Gid = x.GetUInt32(); break;
                                default: throw Unknown();
                            }
                        });
                        return required == 2 ? dev : throw new GiveUp();
                    });
                    break;
                case "rootfsPropagation": l.RootfsPropagation = Str(v); break;
                case "maskedPaths": l.MaskedPaths = Strs(v); break;
                case "readonlyPaths": l.ReadonlyPaths = Strs(v); break;
                case "mountLabel": l.MountLabel = Str(v); break;
                default: throw Unknown();
            }
        });
        return l;
    }

    private static LinuxResources ReadResources(JsonElement e)
    {
        var r = new LinuxResources();
        Each(e, (name, v) =>
        {
            switch (name)
            {
                case "devices":
                    r.Devices = List(v, d =>
                    {
                        var rule = new LinuxDeviceCgroup();
                        var hasAllow = false;
                        Each(d, (k, x) =>
                        {
                            switch (k)
                            {
                                case "allow": rule.Allow = Bool(x); hasAllow = true; break;
                                case "type": rule.Type = Str(x); break;
                                case "major": rule.Major = x.GetInt64(); break;
                                case "minor": rule.Minor = x.GetInt64(); break;
                                case "access": rule.Access = Str(x); break;
                                default: throw Unknown();
                            }
                        });
                        return hasAllow ? rule : throw new GiveUp();
                    });
                    break;
                case "memory":
                    var m = new LinuxMemory();
                    Each(v, (k, x) =>
                    {
                        switch (k)
                        {
                            case "limit": m.Limit = x.GetInt64(); break;
                            case "reservation": m.Reservation = x.GetInt64(); break;
                            case "swap": m.Swap = x.GetInt64(); break;
                            case "kernel": m.Kernel = x.GetInt64(); break;
                            case "kernelTCP": m.KernelTcp = x.GetInt64(); break;
                            case "swappiness": m.Swappiness = x.GetUInt64(); break;
                            case "disableOOMKiller": m.DisableOomKiller = Bool(x); break;
                            case "useHierarchy": m.UseHierarchy = Bool(x); break;
                            case "checkBeforeUpdate": m.CheckBeforeUpdate = Bool(x); break;
                            default: throw Unknown();
                        }
                    });
                    r.Memory = m;
                    break;
                case "cpu":
                    var c = new LinuxCpu();
                    Each(v, (k, x) =>
                    {
                        switch (k)
                        {
                            case "shares": c.Shares = x.GetUInt64(); break;
                            case "quota": c.Quota = x.GetInt64(); break;
                            case "burst": c.Burst = x.GetUInt64(); break;
                            case "period": c.Period = x.GetUInt64(); break;
                            case "realtimeRuntime": c.RealtimeRuntime = x.GetInt64(); break;
                            case "realtimePeriod": c.RealtimePeriod = x.GetUInt64(); break;
                            case "cpus": c.Cpus = Str(x); break;
                            case "mems": c.Mems = Str(x); break;
                            case "idle": c.Idle = x.GetInt64(); break;
                            default: throw Unknown();
                        }
                    });
                    r.Cpu = c;
                    break;
                case "pids":
                    var p = new LinuxPids();
                    Each(v, (k, x) => p.Limit = k == "limit" ? x.GetInt64() : throw Unknown());
                    r.Pids = p;
                    break;
                case "blockIO":
                    r.BlockIo = ReadBlockIo(v);
                    break;
                case "unified": r.Unified = Map(v); break;
                default: throw Unknown();
            }
        });
        return r;
    }

    private static LinuxBlockIo ReadBlockIo(JsonElement e)
    {
        var b = new LinuxBlockIo();
        Each(e, (name, v) =>
        {
            switch (name)
            {
                case "weight": b.Weight = v.GetUInt16(); break;
                case "leafWeight": b.LeafWeight = v.GetUInt16(); break;
                case "weightDevice":
                    b.WeightDevice = List(v, d =>
                    {
                        var w = new LinuxWeightDevice();
                        var required = 0;
                        Each(d, (k, x) =>
                        {
                            switch (k)
                            {
                                case "major": w.Major = x.GetInt64(); required++; break;
                                case "minor": w.Minor = x.GetInt64(); required++; break;
                                case "weight": w.Weight = x.GetUInt16(); break;
                                case "leafWeight": w.LeafWeight = x.GetUInt16(); break;
                                default: throw Unknown();
                            }
                        });
                        return required == 2 ? w : throw new GiveUp();
                    });
                    break;
                case "throttleReadBpsDevice": b.ThrottleReadBpsDevice = List(v, ReadThrottle); break;
                case "throttleWriteBpsDevice": b.ThrottleWriteBpsDevice = List(v, ReadThrottle); break;
                case "throttleReadIOPSDevice": b.ThrottleReadIopsDevice = List(v, ReadThrottle); break;
                case "throttleWriteIOPSDevice": b.ThrottleWriteIopsDevice = List(v, ReadThrottle); break;
                default: throw Unknown();
            }
        });
        return b;
    }

    private static LinuxThrottleDevice ReadThrottle(JsonElement e)
    {
        var t = new LinuxThrottleDevice();
        var required = 0;
        Each(e, (k, x) =>
        {
            switch (k)
            {
                case "major": t.Major = x.GetInt64(); required++; break;
                case "minor": t.Minor = x.GetInt64(); required++; break;
                case "rate": t.Rate = x.GetUInt64(); required++; break;
                default: throw Unknown();
            }
        });
        return required == 3 ? t : throw new GiveUp();
    }
}
