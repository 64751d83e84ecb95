using System.Text;
using PSContainers.Core.Images;

namespace PSContainers.Core.Tests.Images;

public sealed class DigestTests
{
    [Fact]
    public void ComputesSha256AndSha512AsTheCoreutilsDo()
    {
        var data = Encoding.ASCII.GetBytes("hello\n");
        Assert.Equal("sha256:5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03", Digest.Compute(data).ToString());
        Assert.Equal("sha512:e7c22b994c59d9cf2b48e549b1e24666636045930d3da7c1acb299d1c3b7f931f94aae41edda2c2b207a36e10f8bcb8d45223e54878f5b316e7ce3b6bc019629",
            Digest.Compute(data, Digest.Sha512).ToString());
        Assert.True(Digest.Compute(data).Matches(data));
        Assert.False(Digest.Compute(data).Matches("other"u8));
    }

    [Theory]
    [InlineData("sha256:abc")]
    [InlineData("sha256:5891B5B522D5DF086D0FF0B110FBD9D21BB4FC7163AF34D08286A2E846F6BE03")]
    [InlineData("md5:d41d8cd98f00b204e9800998ecf8427e")]
    [InlineData("5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03")]
    [InlineData("")]
    public void RejectsMalformedDigests(string text)
    {
        Assert.False(Digest.TryParse(text, out _, out var error));
        Assert.NotEmpty(error);
        Assert.Throws<FormatException>(() => Digest.Parse(text));
    }

    [Fact]
    public void ParsesAndComparesByValue()
    {
        var a = Digest.Parse("sha256:5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03");
        Assert.Equal(Digest.Compute("hello\n"u8), a);
        Assert.Equal("5891b5b522d5", a.Short);
    }
}
