using System.Text.Json.Serialization;
using PSContainers.Runtime.Cgroups;

namespace PSContainers.Runtime.Container;

/// <summary>The "data" of a stats event: the cgroup's counters grouped by controller, with runc's field names.</summary>
public sealed class ContainerStatsData
{
    [JsonPropertyName("cpu")] public CpuStatsData Cpu { get; set; } = new();
    [JsonPropertyName("memory")] public MemoryStatsData Memory { get; set; } = new();
    [JsonPropertyName("pids")] public PidsStatsData Pids { get; set; } = new();
    [JsonPropertyName("blkio")] public BlockIoStatsData BlockIo { get; set; } = new();
    [JsonPropertyName("oomKills")] public ulong OomKills { get; set; }

    public static ContainerStatsData From(CgroupStats s) => new()
    {
        Cpu = new CpuStatsData
        {
            Usage = new CpuUsageData { Total = s.CpuUsageNanoseconds, Kernel = s.CpuSystemNanoseconds, User = s.CpuUserNanoseconds },
        },
        Memory = new MemoryStatsData
        {
            Cache = s.MemoryCache,
            Usage = new MemoryUsageData { Usage = s.MemoryUsage, Limit = s.MemoryLimit, Max = s.MemoryMaxUsage },
        },
        Pids = new PidsStatsData { Current = s.PidsCurrent, Limit = s.PidsLimit },
        BlockIo = new BlockIoStatsData
        {
            ReadBytes = s.BlockIoReadBytes,
            WriteBytes = s.BlockIoWriteBytes,
            ReadOperations = s.BlockIoReadOperations,
            WriteOperations = s.BlockIoWriteOperations,
        },
        OomKills = s.OomKillCount,
    };
}
