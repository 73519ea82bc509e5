using AuthServer.Features.Admin;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AuthServer.Features.Upstream;

/// <summary>The admin API of upstream connections (in the OpenAPI document, tag "Upstream connections").</summary>
public static class UpstreamConnectionEndpoints
{
    public static RouteGroupBuilder MapUpstreamConnectionAdmin(this RouteGroupBuilder admin)
    {
        var ofOrganization = admin.MapGroup("/organizations/{organizationId:guid}/upstream-connections").WithTags("Upstream connections");
        ofOrganization.MapPost("", CreateAsync).WithName("CreateUpstreamConnection")
            .WithSummary("Adds a sign-in provider (google, microsoft, github, apple, oidc) with the organization's client at that provider; the answer's redirectUri is what to register there.");
        ofOrganization.MapGet("", ListAsync).WithName("ListUpstreamConnections").WithSummary("Lists the organization's sign-in providers, oldest first; secrets are never returned.");

        var connections = admin.MapGroup("/upstream-connections/{id:guid}").WithTags("Upstream connections");
        connections.MapGet("", GetAsync).WithName("GetUpstreamConnection").WithSummary("Gets a sign-in provider.");
        connections.MapPatch("", UpdateAsync).WithName("UpdateUpstreamConnection")
            .WithSummary("Changes a sign-in provider (a new clientSecret replaces the old one); absent fields stay as they are. Applies on every instance within seconds.");
        connections.MapDelete("", DeleteAsync).WithName("DeleteUpstreamConnection").WithSummary("Deletes a sign-in provider and the accounts linked through it.");
        return admin;
    }

    private static async Task<Results<Created<AdminUpstreamConnectionView>, AdminError>> CreateAsync(
        Guid organizationId, UpstreamConnectionRequest? body, AdminCaller caller, UpstreamConnectionAdmin connections, CancellationToken cancellationToken) =>
        (await connections.CreateAsync(caller, organizationId, body, cancellationToken))
            .Respond(c => TypedResults.Created($"{AdminApi.Prefix}/upstream-connections/{c.Id}", c));

    private static async Task<Results<Ok<IReadOnlyList<AdminUpstreamConnectionView>>, AdminError>> ListAsync(
        Guid organizationId, AdminCaller caller, UpstreamConnectionAdmin connections, CancellationToken cancellationToken) =>
        (await connections.ListAsync(caller, organizationId, cancellationToken)).RespondOk();

    private static async Task<Results<Ok<AdminUpstreamConnectionView>, AdminError>> GetAsync(
        Guid id, AdminCaller caller, UpstreamConnectionAdmin connections, CancellationToken cancellationToken) =>
        (await connections.GetAsync(caller, id, cancellationToken)).RespondOk();

    private static async Task<Results<Ok<AdminUpstreamConnectionView>, AdminError>> UpdateAsync(
        Guid id, UpstreamConnectionRequest? body, AdminCaller caller, UpstreamConnectionAdmin connections, CancellationToken cancellationToken) =>
        (await connections.UpdateAsync(caller, id, body, cancellationToken)).RespondOk();

    private static async Task<Results<NoContent, AdminError>> DeleteAsync(
        Guid id, AdminCaller caller, UpstreamConnectionAdmin connections, CancellationToken cancellationToken) =>
        (await connections.DeleteAsync(caller, id, cancellationToken)).RespondNoContent();
}
