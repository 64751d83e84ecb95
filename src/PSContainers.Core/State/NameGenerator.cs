namespace PSContainers.Core.State;

/// <summary>Readable random names (adjective_noun) for containers created without -Name.</summary>
public static class NameGenerator
{
    private static readonly string[] Adjectives =
    [
        "agile", "bold", "brave", "bright", "calm", "clever", "cosmic", "crisp", "daring", "eager", "fair", "fancy",
        "gentle", "glad", "happy", "humble", "jolly", "keen", "kind", "lively", "lucid", "merry", "nimble", "noble",
        "patient", "plucky", "proud", "quick", "quiet", "rapid", "serene", "sharp", "shiny", "silent", "snappy",
        "steady", "sunny", "swift", "tidy", "vivid", "warm", "witty", "zealous",
    ];

    private static readonly string[] Nouns =
    [
        "otter", "falcon", "badger", "heron", "lynx", "marten", "osprey", "puffin", "raven", "salmon", "stoat",
        "walrus", "wombat", "beacon", "canyon", "comet", "delta", "ember", "fjord", "glacier", "harbor", "island",
        "lagoon", "meadow", "nebula", "orbit", "prairie", "quasar", "reef", "summit", "tundra", "valley", "willow",
    ];

    public static string Next(int attempt = 0)
    {
        var name = $"{Adjectives[Random.Shared.Next(Adjectives.Length)]}_{Nouns[Random.Shared.Next(Nouns.Length)]}";
        // After a few collisions the pool is crowded; a number keeps names unique without looping forever.
        return attempt < 3 ? name : $"{name}{Random.Shared.Next(1000)}";
    }
}
