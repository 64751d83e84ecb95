using System.Text;
using PSContainers.Api.Images;
using PSContainers.Core.Registry;

namespace PSContainers.Api.Tests;

public class TransferLinesTests
{
    private const string Blob = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private static string Json(JsonMessage? message) => Encoding.UTF8.GetString(message!.ToLine());

    [Fact]
    public void APullShowsDockersWordsForEachState()
    {
        var lines = new TransferLines(push: false);
        Assert.Equal("""{"status":"Pulling fs layer","progressDetail":{},"id":"0123456789ab"}""" + "\n", Json(lines.Translate(new(Blob, 0, 100, TransferState.Waiting))));
        Assert.Equal("""{"status":"Downloading","progressDetail":{"current":40,"total":100},"id":"0123456789ab"}""" + "\n",
            Json(lines.Translate(new(Blob, 40, 100, TransferState.Downloading))));
        Assert.Equal("Verifying Checksum", lines.Translate(new(Blob, 100, 100, TransferState.Verifying))!.Status);
        Assert.Equal("Extracting", lines.Translate(new(Blob, 10, 100, TransferState.Unpacking))!.Status);
        Assert.Equal("Pull complete", lines.Translate(new(Blob, 100, 100, TransferState.Complete))!.Status);
        Assert.Equal("Already exists", new TransferLines(push: false).Translate(new(Blob, 100, 100, TransferState.AlreadyExists))!.Status);
    }

    [Fact]
    public void APushShowsPushWords()
    {
        var lines = new TransferLines(push: true, mountedFrom: "library/busybox");
        Assert.Equal("Pushing", lines.Translate(new(Blob, 0, 100, TransferState.Uploading))!.Status);
        Assert.Equal("Pushed", lines.Translate(new(Blob, 100, 100, TransferState.Complete))!.Status);
        Assert.Equal("Layer already exists", lines.Translate(new(Blob, 100, 100, TransferState.AlreadyExists))!.Status);
        Assert.Equal("Mounted from library/busybox", lines.Translate(new(Blob, 100, 100, TransferState.Mounted))!.Status);
    }

    [Fact]
    public void ByteReportsAreThinnedButStateChangesAndTheLastBytePass()
    {
        var lines = new TransferLines(push: false);
        const long total = 100 << 20;
        var shown = 0;
        for (long at = 0; at <= total; at += 64 << 10)
        {
            shown += lines.Translate(new(Blob, at, total, TransferState.Downloading)) is null ? 0 : 1;
        }

        // 1600 reports of 64 KiB over 100 MiB: about one line per 2 MiB (a fiftieth), not one per report.
        Assert.InRange(shown, 40, 60);
        Assert.NotNull(lines.Translate(new(Blob, total, total, TransferState.Verifying)));
    }

    [Fact]
    public void ErrorAndStreamLinesHaveDockersShape()
    {
        Assert.Equal("""{"errorDetail":{"message":"boom"},"error":"boom"}""" + "\n", Json(JsonMessage.OfError("boom")));
        Assert.Equal("""{"stream":"Step 1/2 : FROM x\n"}""" + "\n", Json(JsonMessage.OfStream("Step 1/2 : FROM x")));
        Assert.Equal("""{"aux":{"ID":"sha256:ab"}}""" + "\n", Json(JsonMessage.OfAux(new { ID = "sha256:ab" })));
    }
}
