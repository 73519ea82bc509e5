using Microsoft.AspNetCore.Http.HttpResults;

namespace AuthServer.Features.Admin;

public static class PasskeyEndpoints
{
    public static RouteGroupBuilder MapPasskeyAdmin(this RouteGroupBuilder admin)
    {
        admin.MapGet("/users/{id:guid}/passkeys", ListAsync).WithTags("Passkeys").WithName("ListUserPasskeys")
            .WithSummary("Lists a user's passkeys; each id is the credential id in base64url.");
        admin.MapPatch("/passkeys/{id}", RenameAsync).WithTags("Passkeys").WithName("RenamePasskey").WithSummary("Renames a passkey.");
        admin.MapDelete("/passkeys/{id}", DeleteAsync).WithTags("Passkeys").WithName("DeletePasskey")
            .WithSummary("Deletes a passkey; it can no longer sign in.");
        return admin;
    }

    private static async Task<Results<Ok<Page<AdminPasskeyView>>, AdminError>> ListAsync(
        Guid id, [AsParameters] PageQuery page, AdminCaller caller, PasskeyAdmin passkeys, CancellationToken cancellationToken) =>
        (await passkeys.ListAsync(caller, id, page, cancellationToken)).RespondOk();

    private static async Task<Results<Ok<AdminPasskeyView>, AdminError>> RenameAsync(
        string id, RenamePasskeyRequest? body, AdminCaller caller, PasskeyAdmin passkeys, CancellationToken cancellationToken) =>
        (await passkeys.RenameAsync(caller, id, body, cancellationToken)).RespondOk();

    private static async Task<Results<NoContent, AdminError>> DeleteAsync(
        string id, AdminCaller caller, PasskeyAdmin passkeys, CancellationToken cancellationToken) =>
        (await passkeys.DeleteAsync(caller, id, cancellationToken)).RespondNoContent();
}
