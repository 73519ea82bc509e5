using System.Security.Claims;
using AuthServer.Errors;
using AuthServer.Features.Sessions;

namespace AuthServer.Features.Admin;

/// <summary>
/// The authenticated caller of the admin API: which API key, and the one organization it is scoped to
/// (null for a global key). Bound from the principal <see cref="ApiKeyAuthentication"/> produced, so a
/// handler that takes it is never reached without a valid key.
/// </summary>
public sealed record AdminCaller(Guid ApiKeyId, Guid? OrganizationId, string? Ip)
{
    public const string ActorType = "apiKey";

    public bool IsGlobal => OrganizationId is null;

    public bool CanAccess(Guid organizationId) => OrganizationId is null || OrganizationId == organizationId;

    /// <summary>noPermission when a scoped key touches another organization; null when allowed.</summary>
    public AuthError? CheckAccess(Guid organizationId) =>
        CanAccess(organizationId) ? null : AuthError.NoPermission("This API key is scoped to another organization.");

    /// <summary>noPermission unless the key is global (API key management, listing every organization).</summary>
    public AuthError? CheckGlobal() =>
        IsGlobal ? null : AuthError.NoPermission("Only a global API key may do this.");

    public static ValueTask<AdminCaller?> BindAsync(HttpContext context) => ValueTask.FromResult<AdminCaller?>(From(context));

    public static AdminCaller From(HttpContext context)
    {
        var user = context.User;
        if (user.Identity?.AuthenticationType != ApiKeyAuthentication.Scheme
            || !Guid.TryParse(user.FindFirstValue(ApiKeyAuthentication.KeyIdClaim), out var keyId))
        {
            // Unreachable behind RequireAuthorization; a route mapped without it fails closed.
            throw new AuthErrorException(AuthError.TokenMissing());
        }

        Guid? organizationId = Guid.TryParse(user.FindFirstValue(ApiKeyAuthentication.OrganizationClaim), out var scoped) ? scoped : null;
        return new AdminCaller(keyId, organizationId, ClientContext.NormalizeIp(context.Connection.RemoteIpAddress?.ToString()));
    }
}
