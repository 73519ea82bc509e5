using System.Security.Claims;
using AuthServer.Errors;
using AuthServer.Features.Sessions;

namespace AuthServer.Features.Admin;

/// <summary>
/// Who is administering, and what they may touch: an API key of the admin API (global, or scoped to one
/// organization), or an administrator signed in to the console (global, or administrator of listed
/// organizations). Both go through the same admin services with the same checks; only the actor named in the
/// audit log differs. <see cref="Organizations"/> is null for a global caller.
/// </summary>
public sealed record AdminCaller(string ActorType, string ActorId, IReadOnlyList<Guid>? Organizations, string? Ip)
{
    public const string ApiKeyActorType = "apiKey";
    public const string AdministratorActorType = "administrator";
    public const string CommandLineActorType = "cli";

    public static AdminCaller ApiKey(Guid keyId, Guid? organizationId, string? ip) =>
        new(ApiKeyActorType, keyId.ToString(), organizationId is { } scoped ? WithoutSystemOrganization([scoped]) : null, ip);

    public static AdminCaller Administrator(Guid userId, IReadOnlyList<Guid>? organizations, string? ip) =>
        new(AdministratorActorType, userId.ToString(), organizations is null ? null : WithoutSystemOrganization(organizations), ip);

    /// <summary>
    /// A scoped caller never reaches the administrators' own organization, whatever an older key or role row
    /// says: changing an administrator's address there and signing in with the emailed code would take over a
    /// global role. Only global callers manage it.
    /// </summary>
    private static List<Guid> WithoutSystemOrganization(IEnumerable<Guid> organizations) =>
        [.. organizations.Where(id => id != AdminConsole.SystemOrganization.Id)];

    public bool IsGlobal => Organizations is null;

    public bool CanAccess(Guid organizationId) => Organizations is null || Organizations.Contains(organizationId);

    /// <summary>noPermission when a scoped caller touches another organization; null when allowed.</summary>
    public AuthError? CheckAccess(Guid organizationId) =>
        CanAccess(organizationId) ? null : AuthError.NoPermission("This caller is scoped to other organizations.");

    /// <summary>noPermission unless the caller is global (API key management, listing every organization).</summary>
    public AuthError? CheckGlobal() =>
        IsGlobal ? null : AuthError.NoPermission("Only a global API key or administrator may do this.");

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
        return ApiKey(keyId, organizationId, ClientContext.NormalizeIp(context.Connection.RemoteIpAddress?.ToString()));
    }
}
