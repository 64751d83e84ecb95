using System.Globalization;
using System.Text.Json;

namespace PSContainers.Runtime.Container;

/// <summary>Writes and reads state.json by hand: the record is small and every pscrun command reads it.</summary>
/// <remarks>Serializer metadata would cost milliseconds per command under NativeAOT; this costs microseconds.</remarks>
internal static class ContainerRecordJson
{
    public static string Write(ContainerRecord r)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("id", r.Id);
            w.WriteNumber("pid", r.Pid);
            w.WriteNumber("pidStartTime", r.PidStartTime);
            w.WriteString("bundle", r.Bundle);
            w.WriteString("rootfs", r.Rootfs);
            w.WriteString("created", r.Created.ToString("O", CultureInfo.InvariantCulture));
            w.WriteString("cgroupsPath", r.CgroupsPath);
            w.WriteString("owner", r.Owner);
            w.WriteString("ociVersion", r.OciVersion);
            if (r.Annotations is not null)
            {
                w.WriteStartObject("annotations");
                foreach (var (k, v) in r.Annotations)
                {
                    w.WriteString(k, v);
                }

                w.WriteEndObject();
            }

            w.WriteString("config", r.ConfigJson);
            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    public static ContainerRecord Read(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var r = new ContainerRecord();
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            var v = p.Value;
            switch (p.Name)
            {
                case "id": r.Id = v.GetString() ?? ""; break;
                case "pid": r.Pid = v.GetInt32(); break;
                case "pidStartTime": r.PidStartTime = v.GetUInt64(); break;
                case "bundle": r.Bundle = v.GetString() ?? ""; break;
                case "rootfs": r.Rootfs = v.GetString() ?? ""; break;
                case "created": r.Created = DateTimeOffset.Parse(v.GetString() ?? "", CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind); break;
                case "cgroupsPath": r.CgroupsPath = v.GetString() ?? ""; break;
                case "owner": r.Owner = v.GetString() ?? ""; break;
                case "ociVersion": r.OciVersion = v.GetString() ?? ""; break;
                case "annotations":
                    if (v.ValueKind == JsonValueKind.Object)
                    {
                        r.Annotations = v.EnumerateObject().ToDictionary(a => a.Name, a => a.Value.GetString() ?? "");
                    }

                    break;
                case "config": r.ConfigJson = v.GetString() ?? "{}"; break;
            }
        }

        return r;
    }
}
