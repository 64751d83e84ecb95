namespace PSContainers.Core.Registry;

/// <summary>A stored registry login: the registry (or repository) key, the user, and the auth.json it is in.</summary>
/// <param name="Registry">The auth.json key: host[:port] or host[:port]/repository.</param>
/// <param name="UserName">The account logged in as.</param>
/// <param name="AuthFile">The auth.json path.</param>
public sealed record RegistryLogin(string Registry, string UserName, string AuthFile);
