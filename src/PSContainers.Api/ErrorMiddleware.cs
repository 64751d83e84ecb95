namespace PSContainers.Api;

/// <summary>Turns any exception an endpoint throws into docker's error response, once, for every route.</summary>
internal sealed class ErrorMiddleware(RequestDelegate next, ILogger<ErrorMiddleware> log)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away (docker logs -f ended by Ctrl+C): nothing to answer.
        }
        catch (Exception e)
        {
            var (status, message) = ApiErrors.Map(e);
            if (status >= 500)
            {
                log.LogError(e, "{Method} {Path} failed", context.Request.Method, context.Request.Path);
            }

            if (context.Response.HasStarted)
            {
                // A stream already under way (logs, attach) cannot change its status: end the connection.
                context.Abort();
                return;
            }

            await ApiResults.WriteError(context, status, message);
        }
    }
}
