namespace PSContainers.Api;

/// <summary>Strips docker's /vX.Y prefix once, so endpoint files map unversioned paths only; refuses versions outside ours.</summary>
internal sealed class VersionPrefixMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var (version, rest) = ApiVersion.SplitPrefix(context.Request.Path.Value ?? "/");
        if (version is not null)
        {
            if (ApiVersion.Check(version) is { } refusal)
            {
                await ApiResults.WriteError(context, StatusCodes.Status400BadRequest, refusal);
                return;
            }

            context.Items[ApiVersion.VersionItem] = version;
            context.Request.Path = rest;
        }

        await next(context);
    }
}
