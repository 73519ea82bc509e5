using Microsoft.AspNetCore.Http.HttpResults;

namespace AuthServer.Features.Admin;

public static class OrganizationEndpoints
{
    public static RouteGroupBuilder MapOrganizationAdmin(this RouteGroupBuilder admin)
    {
        var organizations = admin.MapGroup("/organizations").WithTags("Organizations");
        organizations.MapPost("", CreateAsync).WithName("CreateOrganization")
            .WithSummary("Creates an organization; the response carries its client secret, shown this once (global keys only).");
        organizations.MapGet("", ListAsync).WithName("ListOrganizations").WithSummary("Lists every organization, oldest first (global keys only).");
        organizations.MapGet("/{id:guid}", GetAsync).WithName("GetOrganization").WithSummary("Gets an organization.");
        organizations.MapPatch("/{id:guid}", UpdateAsync).WithName("UpdateOrganization")
            .WithSummary("Changes name, settings, connections, whitelisted origins or redirect URIs; absent fields stay as they are.");
        organizations.MapDelete("/{id:guid}", DeleteAsync).WithName("DeleteOrganization")
            .WithSummary("Deletes an organization with its users, sessions and scoped API keys (global keys only).");
        organizations.MapPost("/{id:guid}/rotate_secret", RotateSecretAsync).WithName("RotateOrganizationSecret")
            .WithSummary("Issues a new client secret, shown this once; old and new are both accepted until activate_secret.");
        organizations.MapPost("/{id:guid}/activate_secret", ActivateSecretAsync).WithName("ActivateOrganizationSecret")
            .WithSummary("Makes the rotated secret the only one; the old secret stops working.");
        return admin;
    }

    private static async Task<Results<Created<CreatedOrganizationView>, AdminError>> CreateAsync(
        OrganizationRequest? body, AdminCaller caller, OrganizationAdmin organizations, CancellationToken cancellationToken) =>
        (await organizations.CreateAsync(caller, body, cancellationToken))
            .Respond(created => TypedResults.Created($"/api/v1/admin/organizations/{created.ClientId}", created));

    private static async Task<Results<Ok<Page<OrganizationView>>, AdminError>> ListAsync(
        [AsParameters] PageQuery page, AdminCaller caller, OrganizationAdmin organizations, CancellationToken cancellationToken) =>
        (await organizations.ListAsync(caller, page, cancellationToken)).RespondOk();

    private static async Task<Results<Ok<OrganizationView>, AdminError>> GetAsync(
        Guid id, AdminCaller caller, OrganizationAdmin organizations, CancellationToken cancellationToken) =>
        (await organizations.GetAsync(caller, id, cancellationToken)).RespondOk();

    private static async Task<Results<Ok<OrganizationView>, AdminError>> UpdateAsync(
        Guid id, OrganizationRequest? body, AdminCaller caller, OrganizationAdmin organizations, CancellationToken cancellationToken) =>
        (await organizations.UpdateAsync(caller, id, body, cancellationToken)).RespondOk();

    private static async Task<Results<NoContent, AdminError>> DeleteAsync(
        Guid id, AdminCaller caller, OrganizationAdmin organizations, CancellationToken cancellationToken) =>
        (await organizations.DeleteAsync(caller, id, cancellationToken)).RespondNoContent();

    private static async Task<Results<Ok<RotatedSecretView>, AdminError>> RotateSecretAsync(
        Guid id, AdminCaller caller, OrganizationAdmin organizations, CancellationToken cancellationToken) =>
        (await organizations.RotateSecretAsync(caller, id, cancellationToken)).RespondOk();

    private static async Task<Results<Ok<OrganizationView>, AdminError>> ActivateSecretAsync(
        Guid id, AdminCaller caller, OrganizationAdmin organizations, CancellationToken cancellationToken) =>
        (await organizations.ActivateSecretAsync(caller, id, cancellationToken)).RespondOk();
}
