using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text.Encodings.Web;
using AuthServer.Errors;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace AuthServer.Features.Admin;

/// <summary>Names of the admin API's authentication scheme, policy and claims.</summary>
public static class ApiKeyAuthentication
{
    public const string Scheme = "AdminApiKey";
    public const string Policy = "AdminApiKey";
    public const string KeyIdClaim = "api_key_id";
    public const string OrganizationClaim = "organization_id";
}

/// <summary>
/// <c>Authorization: Bearer &lt;api key&gt;</c> for the admin API, as an authentication scheme: the
/// authorization middleware runs it before the endpoint reads anything, so a caller without a valid key
/// learns nothing else (not even that its JSON is malformed). Its challenge and forbid answers are the
/// catalog's tokenMissing / tokenInvalid / noPermission.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeyService keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header))
        {
            return AuthenticateResult.NoResult();
        }

        if (!AuthenticationHeaderValue.TryParse(header, out var parsed)
            || !string.Equals(parsed.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.Fail("The Authorization header is not a Bearer API key.");
        }

        var key = await keys.AuthenticateAsync(parsed.Parameter?.Trim(), Context.RequestAborted);
        if (key.Failed)
        {
            return key.Error!.Code == ErrorCatalog.TokenMissing.Code
                ? AuthenticateResult.NoResult()
                : AuthenticateResult.Fail("Unknown or malformed API key.");
        }

        var claims = new List<Claim> { new(ApiKeyAuthentication.KeyIdClaim, key.Value!.Id.ToString()) };
        if (key.Value.OrganizationId is { } organizationId)
        {
            claims.Add(new Claim(ApiKeyAuthentication.OrganizationClaim, organizationId.ToString()));
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, ApiKeyAuthentication.Scheme));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, ApiKeyAuthentication.Scheme));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        await ErrorResponses.WriteAsync(Context, result.None ? AuthError.TokenMissing() : AuthError.TokenInvalid());
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ErrorResponses.WriteAsync(Context, AuthError.NoPermission());
}
