using Microsoft.AspNetCore.Http.HttpResults;

namespace AuthServer.Features.Admin;

public static class UserEndpoints
{
    public static RouteGroupBuilder MapUserAdmin(this RouteGroupBuilder admin)
    {
        var ofOrganization = admin.MapGroup("/organizations/{organizationId:guid}/users").WithTags("Users");
        ofOrganization.MapPost("", CreateAsync).WithName("CreateUser")
            .WithSummary("Creates a user; the email address must be new to the organization (compared case-insensitively).");
        ofOrganization.MapGet("", ListAsync).WithName("ListUsers")
            .WithSummary("Lists the organization's users, oldest first; `email` keeps those whose address contains it.");
        ofOrganization.MapGet("/by_email", GetByEmailAsync).WithName("GetUserByEmail").WithSummary("Finds a user of the organization by email address.");

        var users = admin.MapGroup("/users/{id:guid}").WithTags("Users");
        users.MapGet("", GetAsync).WithName("GetUser").WithSummary("Gets a user.");
        users.MapPatch("", UpdateAsync).WithName("UpdateUser").WithSummary("Changes email, verified or blocked; absent fields stay as they are.");
        users.MapDelete("", DeleteAsync).WithName("DeleteUser").WithSummary("Deletes a user with its sessions and passkeys.");
        return admin;
    }

    private static async Task<Results<Created<AdminUserView>, AdminError>> CreateAsync(
        Guid organizationId, CreateUserRequest? body, AdminCaller caller, UserAdmin users, CancellationToken cancellationToken) =>
        (await users.CreateAsync(caller, organizationId, body, cancellationToken))
            .Respond(user => TypedResults.Created($"/api/v1/admin/users/{user.Id}", user));

    private static async Task<Results<Ok<Page<AdminUserView>>, AdminError>> ListAsync(
        Guid organizationId, string? email, [AsParameters] PageQuery page, AdminCaller caller, UserAdmin users, CancellationToken cancellationToken) =>
        (await users.ListAsync(caller, organizationId, email, page, cancellationToken)).RespondOk();

    private static async Task<Results<Ok<AdminUserView>, AdminError>> GetByEmailAsync(
        Guid organizationId, string? email, AdminCaller caller, UserAdmin users, CancellationToken cancellationToken) =>
        (await users.GetByEmailAsync(caller, organizationId, email, cancellationToken)).RespondOk();

    private static async Task<Results<Ok<AdminUserView>, AdminError>> GetAsync(
        Guid id, AdminCaller caller, UserAdmin users, CancellationToken cancellationToken) =>
        (await users.GetAsync(caller, id, cancellationToken)).RespondOk();

    private static async Task<Results<Ok<AdminUserView>, AdminError>> UpdateAsync(
        Guid id, UpdateUserRequest? body, AdminCaller caller, UserAdmin users, CancellationToken cancellationToken) =>
        (await users.UpdateAsync(caller, id, body, cancellationToken)).RespondOk();

    private static async Task<Results<NoContent, AdminError>> DeleteAsync(
        Guid id, AdminCaller caller, UserAdmin users, CancellationToken cancellationToken) =>
        (await users.DeleteAsync(caller, id, cancellationToken)).RespondNoContent();
}
