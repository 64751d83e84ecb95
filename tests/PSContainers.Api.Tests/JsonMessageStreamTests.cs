using System.Text;
using Microsoft.AspNetCore.Http;
using PSContainers.Api.Images;
using PSContainers.Core.Containers;

namespace PSContainers.Api.Tests;

public class JsonMessageStreamTests
{
    private static (DefaultHttpContext Context, MemoryStream Body) NewContext()
    {
        var body = new MemoryStream();
        var context = new DefaultHttpContext();
        context.Response.Body = body;
        return (context, body);
    }

    [Fact]
    public async Task LinesPostedFromOtherThreadsArriveInOrderAsJsonLines()
    {
        var (context, body) = NewContext();
        var stream = new JsonMessageStream(context);
        await stream.RunAsync(() => Task.Run(() =>
        {
            for (var i = 0; i < 200; i++)
            {
                stream.Post(JsonMessage.OfStream($"line {i}"));
            }
        }));
        var lines = Encoding.UTF8.GetString(body.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(200, lines.Length);
        Assert.Equal("""{"stream":"line 0\n"}""", lines[0]);
        Assert.Equal("""{"stream":"line 199\n"}""", lines[^1]);
        Assert.Equal("application/json", context.Response.ContentType);
    }

    [Fact]
    public async Task AFailureBeforeTheFirstLineIsThrownForAnHttpError()
    {
        var (context, body) = NewContext();
        var stream = new JsonMessageStream(context);
        var e = await Assert.ThrowsAsync<ContainerEngineException>(() => stream.RunAsync(() =>
            throw new ContainerEngineException("ImageNotFound", "gone", ContainerErrorKind.NotFound, "x:1")));
        Assert.Equal("ImageNotFound", e.ErrorId);
        Assert.Equal(0, body.Length);
    }

    [Fact]
    public async Task AFailureAfterTheFirstLineEndsTheStreamWithDockersErrorLine()
    {
        var (context, body) = NewContext();
        var stream = new JsonMessageStream(context);
        await stream.RunAsync(() =>
        {
            stream.Post(JsonMessage.OfStream("Step 1/2 : FROM busybox"));
            return Task.Delay(50).ContinueWith(_ => throw new ContainerEngineException("BuildStepFailed", "RUN exit 3 failed", ContainerErrorKind.OperationFailed));
        });
        var lines = Encoding.UTF8.GetString(body.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Equal("""{"errorDetail":{"message":"RUN exit 3 failed"},"error":"RUN exit 3 failed"}""", lines[1]);
    }
}
