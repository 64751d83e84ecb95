namespace PSContainers.Core.Images;

/// <summary>One line of what Remove-ContainerImage did, as docker rmi prints it: Untagged NAME or Deleted ID.</summary>
public sealed record ImageDeleteResult(string Action, string Target)
{
    public override string ToString() => $"{Action}: {Target}";
}
