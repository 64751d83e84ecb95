namespace PSContainers.Core.Registry;

/// <summary>A user name and password (or an identity token) for one registry, and where they came from.</summary>
/// <param name="UserName">The account name.</param>
/// <param name="Password">The password or access token.</param>
/// <param name="IdentityToken">An OAuth2 refresh token (auth.json "identitytoken"), sent instead of the password when set.</param>
/// <param name="Source">The file or parameter the credential came from, for messages.</param>
public sealed record RegistryCredential(string UserName, string Password, string? IdentityToken = null, string Source = "")
{
    /// <summary>The auth.json "auth" value: base64 of user:password.</summary>
    public string EncodedAuth => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(UserName + ":" + Password));

    /// <summary>Keeps the password out of logs and error messages.</summary>
    public override string ToString() => $"{UserName} (from {Source})";
}
