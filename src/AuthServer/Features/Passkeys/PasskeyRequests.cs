using AuthServer.Data.Entities;
using AuthServer.Errors;
using AuthServer.Features.Organizations;
using AuthServer.Features.SignIn;

namespace AuthServer.Features.Passkeys;

/// <summary>The login page a passkey ceremony belongs to, checked the same way when it starts and when it ends.</summary>
public sealed class PasskeyRequests(AuthorizationRequestService requests, PasskeyLoginMethod method)
{
    public async Task<Outcome<(CachedOrganization Organization, AuthorizationRequest Request)>> LoadAsync(Guid? requestId, CancellationToken cancellationToken)
    {
        if (requestId is null)
        {
            return AuthError.MissingFields("request");
        }

        return Offered(await requests.LoadAsync(requestId, cancellationToken));
    }

    /// <summary>Locks the request row in the caller's transaction: two ceremonies (or a code) on one page cannot both complete it.</summary>
    public async Task<Outcome<(CachedOrganization Organization, AuthorizationRequest Request)>> LockAsync(Guid? requestId, CancellationToken cancellationToken) =>
        Offered(await requests.LockAsync(requestId, cancellationToken));

    private Outcome<(CachedOrganization, AuthorizationRequest)> Offered(Outcome<(CachedOrganization Organization, AuthorizationRequest Request)> loaded) =>
        loaded.Failed || method.IsEnabled(loaded.Value.Organization, loaded.Value.Request) ? loaded : AuthError.ConnectionMissing();
}
