using Xunit;

namespace PSContainers.Runtime.Tests.Integration;

/// <summary>Integration tests share the machine's cgroups and run one class at a time.</summary>
[CollectionDefinition("pscrun", DisableParallelization = true)]
public sealed class PscrunCollection
{
}
