using System.Text;
using PSContainers.Api;
using PSContainers.Api.Images;

namespace PSContainers.Api.Tests;

public class RegistryAuthHeaderTests
{
    private static string Url(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [Fact]
    public void UserAndPasswordAsTheDockerCliSendsThem()
    {
        var credential = RegistryAuthHeader.Decode(Url("""{"username":"ann","password":"s3cr?t>>","serveraddress":"127.0.0.1:5000"}"""));
        Assert.NotNull(credential);
        Assert.Equal("ann", credential.UserName);
        Assert.Equal("s3cr?t>>", credential.Password);
        Assert.Null(credential.IdentityToken);
        Assert.Equal("X-Registry-Auth", credential.Source);
    }

    [Fact]
    public void StandardBase64WithPaddingAlsoDecodes()
    {
        var header = Convert.ToBase64String(Encoding.UTF8.GetBytes("""{"username":"bob","password":"pw"}"""));
        Assert.Equal("bob", RegistryAuthHeader.Decode(header)!.UserName);
    }

    [Fact]
    public void AuthFieldIsSplitIntoUserAndPassword()
    {
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes("carol:pa:ss"));
        var credential = RegistryAuthHeader.Decode(Url($$"""{"auth":"{{auth}}"}"""));
        Assert.Equal("carol", credential!.UserName);
        Assert.Equal("pa:ss", credential.Password);
    }

    [Fact]
    public void IdentityTokenIsKept()
    {
        var credential = RegistryAuthHeader.Decode(Url("""{"identitytoken":"tok-123"}"""));
        Assert.Equal("tok-123", credential!.IdentityToken);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("e30")]
    [InlineData("e30=")]
    public void NoCredentialMeansTheEnginesOwnLogins(string? header) => Assert.Null(RegistryAuthHeader.Decode(header));

    [Theory]
    [InlineData("not base64!")]
    [InlineData("WzEsMl0")]
    public void MalformedHeadersAreA400(string header)
    {
        var e = Assert.Throws<ApiException>(() => RegistryAuthHeader.Decode(header));
        Assert.Equal(400, e.StatusCode);
        Assert.Contains("X-Registry-Auth", e.Message);
    }

    [Fact]
    public void RegistryTokenIsRefusedByName()
    {
        var e = Assert.Throws<ApiException>(() => RegistryAuthHeader.Decode(Url("""{"registrytoken":"abc"}""")));
        Assert.Contains("registrytoken", e.Message);
    }

    [Fact]
    public void RegistryConfigGivesOneLoginPerRegistryHost()
    {
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes("dan:pw"));
        var json = """{"127.0.0.1:5000":{"username":"ann","password":"a"},"https://index.docker.io/v1/":{"auth":"AUTH"},"quay.io":{}}""";
        var logins = RegistryAuthHeader.DecodeConfig(Url(json.Replace("AUTH", auth)));
        Assert.Equal(["127.0.0.1:5000", "docker.io"], logins.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("ann", logins["127.0.0.1:5000"].UserName);
        Assert.Equal("dan", logins["docker.io"].UserName);
        Assert.Equal("X-Registry-Config", logins["docker.io"].Source);
        Assert.Empty(RegistryAuthHeader.DecodeConfig("e30="));
        Assert.Empty(RegistryAuthHeader.DecodeConfig(null));
    }

    [Theory]
    [InlineData("http://127.0.0.1:5000/", "127.0.0.1:5000")]
    [InlineData("registry-1.docker.io", "docker.io")]
    [InlineData("localhost:5000", "localhost:5000")]
    public void RegistryKeysBecomeTheDomainsReferencesName(string key, string host) => Assert.Equal(host, RegistryAuthHeader.RegistryHost(key));
}
