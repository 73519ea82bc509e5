using AuthServer.Errors;
using AuthServer.Features.Organizations;

namespace AuthServer.Features.CentralAuthApi;

/// <summary>
/// POST /api/v1/client_check?domain={origin of the app}: a cheap check an app runs at start-up and from its
/// health check, so a wrong secret or a non-whitelisted origin shows in its log before anyone tries to sign in.
/// No session, no database write: the organization comes from the cache.
/// </summary>
public static class ClientCheckEndpoint
{
    public sealed record ClientCheckResult(string OrganizationId);

    public static RouteGroupBuilder MapClientCheck(this RouteGroupBuilder api)
    {
        api.MapPost("/client_check", CheckAsync).WithName("ClientCheck")
            .WithSummary("Checks the app's client credentials and, with domain, that its origin is whitelisted.");
        return api;
    }

    private static async Task<IResult> CheckAsync(HttpContext context, string? domain, ClientAuthenticator clients, CancellationToken cancellationToken)
    {
        var client = await clients.AuthenticateBasicAsync(context.Request, cancellationToken);
        if (client.Failed)
        {
            return client.Error!.ToResult();
        }

        var organization = client.Value!;
        if (domain is not null && !CentralAuthEndpoints.IsAllowedDomain(organization, domain))
        {
            return AuthError.DomainInvalid().ToResult();
        }

        return Results.Json(new ClientCheckResult(organization.Id.ToString()));
    }
}
