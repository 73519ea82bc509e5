using AuthServer.Features.Audit;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AuthServer.Features.Admin;

public static class ApiKeyEndpoints
{
    public static RouteGroupBuilder MapApiKeyAdmin(this RouteGroupBuilder admin)
    {
        var keys = admin.MapGroup("/api_keys").WithTags("API keys");
        keys.MapPost("", CreateAsync).WithName("CreateApiKey")
            .WithSummary("Creates an API key, global or scoped to one organization; the key is shown this once (global keys only).");
        keys.MapGet("", ListAsync).WithName("ListApiKeys").WithSummary("Lists API keys by name and prefix (global keys only).");
        keys.MapDelete("/{id:guid}", DeleteAsync).WithName("DeleteApiKey").WithSummary("Deletes an API key; it stops working at once (global keys only).");
        return admin;
    }

    private static async Task<Results<Created<CreatedApiKey>, AdminError>> CreateAsync(
        CreateApiKeyRequest? body, AdminCaller caller, ApiKeyService keys, CancellationToken cancellationToken)
        => (await keys.CreateAsync(caller, body?.Name, body?.OrganizationId, cancellationToken))
            .Respond(created => TypedResults.Created($"/api/v1/admin/api_keys/{created.Id}", created));

    private static async Task<Results<Ok<Page<ApiKeyView>>, AdminError>> ListAsync(
        [AsParameters] PageQuery page, AdminCaller caller, ApiKeyService keys, CancellationToken cancellationToken) =>
        (await keys.ListAsync(caller, page, cancellationToken)).RespondOk();

    private static async Task<Results<NoContent, AdminError>> DeleteAsync(
        Guid id, AdminCaller caller, ApiKeyService keys, CancellationToken cancellationToken) =>
        (await keys.DeleteAsync(caller, id, cancellationToken)).RespondNoContent();
}
