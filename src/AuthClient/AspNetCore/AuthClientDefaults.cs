namespace AuthServer.Client;

/// <summary>Names used by the ASP.NET Core integration.</summary>
public static class AuthClientDefaults
{
    /// <summary>The authentication scheme of <see cref="AuthClientAuthenticationHandler"/>: <c>AuthClient</c>.</summary>
    public const string AuthenticationScheme = "AuthClient";

    /// <summary>The scheme's display name.</summary>
    public const string DisplayName = "AuthServer sign-in";
}

/// <summary>The claim types of the principal <see cref="AuthClientAuthenticationHandler"/> creates.</summary>
public static class AuthClaimTypes
{
    /// <summary>The user id (also added as <see cref="System.Security.Claims.ClaimTypes.NameIdentifier"/>).</summary>
    public const string Subject = "sub";

    /// <summary>The email address (also added as <see cref="System.Security.Claims.ClaimTypes.Email"/>); the identity's name.</summary>
    public const string Email = "email";

    /// <summary><c>true</c> or <c>false</c>: whether the person proved they own the email address.</summary>
    public const string EmailVerified = "email_verified";

    /// <summary>The organization (client id) of the user.</summary>
    public const string OrganizationId = "organization_id";

    /// <summary>The Gravatar URL of the user.</summary>
    public const string Picture = "picture";
}
