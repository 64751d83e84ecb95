namespace PSContainers.Core.Build.Instructions;

internal static class StageResolver
{
    public static Stage? Find(DockerfileModel model, string nameOrIndex) => throw new NotImplementedException();

    public static Stage Target(DockerfileModel model, string? target) => throw new NotImplementedException();

    public static IReadOnlyList<Stage> Needed(DockerfileModel model, string? target, IReadOnlyDictionary<string, string> buildArgs) => throw new NotImplementedException();
}
