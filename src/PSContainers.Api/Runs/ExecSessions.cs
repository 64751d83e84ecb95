using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace PSContainers.Api.Runs;

/// <summary>The exec instances of this service, in memory as docker keeps them: they mean nothing after a restart.</summary>
internal sealed class ExecSessions
{
    private readonly ConcurrentDictionary<string, ExecSession> _sessions = new(StringComparer.Ordinal);

    public ExecSession Add(Func<string, ExecSession> make)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var session = make(id);
        _sessions[id] = session;
        return session;
    }

    /// <summary>By full id or a unique prefix; a 404 with docker's wording otherwise.</summary>
    public ExecSession Get(string id)
    {
        if (_sessions.TryGetValue(id, out var session))
        {
            return session;
        }

        var matches = _sessions.Values.Where(s => s.Id.StartsWith(id, StringComparison.Ordinal)).Take(2).ToList();
        return matches.Count == 1 ? matches[0] : throw ApiException.NotFound($"No such exec instance: {id}");
    }
}
