using System.Text.Json.Serialization;

namespace PSContainers.Runtime.Spec;

/// <summary>A hugetlb cgroup limit in bytes for one page size such as "2MB".</summary>
public sealed class LinuxHugepageLimit
{
    [JsonPropertyName("pageSize")] public string PageSize { get; set; } = "";
    [JsonPropertyName("limit")] public ulong Limit { get; set; }
}
