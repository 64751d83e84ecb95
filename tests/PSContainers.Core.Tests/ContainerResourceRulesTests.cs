using PSContainers.Core.Containers;

namespace PSContainers.Core.Tests;

public sealed class ContainerResourceRulesTests
{
    private static ContainerEngineException Refused(ContainerResources resources, int hostCpus = 2, string? online = "0-1") =>
        Assert.Throws<ContainerEngineException>(() => ContainerResourceRules.Validate(resources, hostCpus, online));

    [Theory]
    [InlineData(10L)]
    [InlineData(4L << 20)]
    [InlineData((6L << 20) - 1)]
    public void MemoryUnderSixMegabytesIsRefusedWithDockersWords(long memory)
    {
        var e = Refused(new ContainerResources { Memory = memory });
        Assert.Equal("InvalidArgument", e.ErrorId);
        Assert.Equal(ContainerErrorKind.InvalidArgument, e.Kind);
        Assert.StartsWith("Minimum memory limit allowed is 6MB", e.Message, StringComparison.Ordinal);
        Assert.Contains(memory.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SixMegabytesAndMoreAreTaken()
    {
        ContainerResourceRules.Validate(new ContainerResources { Memory = 6L << 20, MemorySwap = -1 }, 2, "0-1");
        ContainerResourceRules.Validate(new ContainerResources { Memory = 64L << 20, MemorySwap = 64L << 20, MemoryReservation = 32L << 20 }, 2, "0-1");
    }

    [Theory]
    [InlineData(64L << 20, 32L << 20, "Minimum memoryswap limit should be larger than memory limit")]
    [InlineData(64L << 20, 0L, "-MemorySwap 0 is invalid")]
    [InlineData(64L << 20, -2L, "-MemorySwap -2 is invalid")]
    public void SwapRulesAreDockers(long memory, long swap, string expected)
    {
        var e = Refused(new ContainerResources { Memory = memory, MemorySwap = swap });
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Equal("MemorySwap", e.Target);
    }

    [Fact]
    public void SwapWithoutMemoryIsRefused() =>
        Assert.Contains("You should always set the Memory limit when using Memoryswap limit", Refused(new ContainerResources { MemorySwap = 128L << 20 }).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData(1L << 20, null, "Minimum memory reservation allowed is 6MB")]
    [InlineData(64L << 20, 32L << 20, "Minimum memory limit can not be less than memory reservation limit")]
    public void ReservationRulesAreDockers(long reservation, long? memory, string expected) =>
        Assert.StartsWith(expected, Refused(new ContainerResources { MemoryReservation = reservation, Memory = memory }).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData(3.0)]
    [InlineData(0.001)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    public void CpusOutsideTheHostAreRefusedNamingTheRange(double cpus)
    {
        var e = Refused(new ContainerResources { Cpus = cpus });
        Assert.StartsWith("Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1UL)]
    [InlineData(262145UL)]
    public void CpuSharesOutsideTheKernelsRangeAreRefused(ulong shares) =>
        Assert.Contains("2 to 262144", Refused(new ContainerResources { CpuShares = shares }).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("4", "Requested CPUs are not available - requested 4, available: 0-1")]
    [InlineData("0-9999", "Invalid value 0-9999 for cpuset cpus")]
    [InlineData("1-0", "Invalid value 1-0 for cpuset cpus")]
    [InlineData("a", "Invalid value a for cpuset cpus")]
    [InlineData("", "Invalid value  for cpuset cpus")]
    public void CpusetsTheHostLacksAreRefused(string cpuset, string expected) =>
        Assert.StartsWith(expected, Refused(new ContainerResources { CpusetCpus = cpuset }).Message, StringComparison.Ordinal);

    [Fact]
    public void CpusetsTheHostHasAreTaken()
    {
        ContainerResourceRules.Validate(new ContainerResources { CpusetCpus = "0-1", CpuShares = 0, Cpus = 0.01 }, 2, "0-1");
        ContainerResourceRules.Validate(new ContainerResources { CpusetCpus = "0,1", CpuShares = 2 }, 2, "0-1");
    }

    [Theory]
    [InlineData((ushort)9)]
    [InlineData((ushort)1001)]
    public void BlkioWeightOutsideTenToAThousandIsRefused(ushort weight) =>
        Assert.StartsWith("Range of blkio weight is from 10 to 1000", Refused(new ContainerResources { BlkioWeight = weight }).Message, StringComparison.Ordinal);

    [Fact]
    public void TheSpecBuilderAppliesTheRules()
    {
        var request = new ContainerCreateRequest { RootFs = "/nonexistent", Command = ["true"], Resources = new ContainerResources { Memory = 10 } };
        Assert.StartsWith("Minimum memory limit allowed is 6MB", Assert.Throws<ContainerEngineException>(() => ContainerSpecBuilder.Build(new string('a', 64), request, "/m")).Message, StringComparison.Ordinal);
    }
}
