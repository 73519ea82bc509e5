using AuthServer.Features.AdminConsole;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AuthServer.Features.Admin;

/// <summary>The body that makes an address an administrator, or changes their role.</summary>
public sealed class SetAdministratorRequest
{
    /// <summary>The person's address; their user in the administrators' organization is created when new.</summary>
    public string? Email { get; init; }

    /// <summary>True for a global administrator (every organization, the administrators and API keys).</summary>
    public bool? IsGlobal { get; init; }

    /// <summary>The organizations of a scoped administrator; absent or empty for a global one (never both, never neither).</summary>
    public IReadOnlyList<Guid>? OrganizationIds { get; init; }
}

/// <summary>The console's administrators over the admin API, for global API keys: the same service and rules as the Administrators page.</summary>
public static class AdministratorEndpoints
{
    public static RouteGroupBuilder MapAdministratorAdmin(this RouteGroupBuilder admin)
    {
        var administrators = admin.MapGroup("/administrators").WithTags("Administrators");
        administrators.MapGet("", ListAsync).WithName("ListAdministrators")
            .WithSummary("Lists the console's administrators by address (global keys only).");
        administrators.MapPut("", SetAsync).WithName("SetAdministrator")
            .WithSummary("Makes an address an administrator, global or of the listed organizations, or changes their role; the last global administrator stays global (global keys only).");
        administrators.MapDelete("/{userId:guid}", RemoveAsync).WithName("RemoveAdministrator")
            .WithSummary("Takes the role away; the user stays and can no longer open the console. The last global administrator stays (global keys only).");
        return admin;
    }

    private static async Task<Results<Ok<Page<AdministratorView>>, AdminError>> ListAsync(
        [AsParameters] PageQuery page, AdminCaller caller, AdministratorService administrators, CancellationToken cancellationToken) =>
        (await administrators.ListAsync(caller, page, cancellationToken)).RespondOk();

    private static async Task<Results<Ok<AdministratorView>, AdminError>> SetAsync(
        SetAdministratorRequest? body, AdminCaller caller, AdministratorService administrators, CancellationToken cancellationToken) =>
        (await administrators.AddAsync(caller, body?.Email, body?.IsGlobal == true, body?.OrganizationIds ?? [], cancellationToken)).RespondOk();

    private static async Task<Results<NoContent, AdminError>> RemoveAsync(
        Guid userId, AdminCaller caller, AdministratorService administrators, CancellationToken cancellationToken) =>
        (await administrators.RemoveAsync(caller, userId, cancellationToken)).RespondNoContent();
}
