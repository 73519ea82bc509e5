using Microsoft.AspNetCore.Http.HttpResults;

namespace AuthServer.Features.Admin;

public static class SessionEndpoints
{
    public static RouteGroupBuilder MapSessionAdmin(this RouteGroupBuilder admin)
    {
        admin.MapGet("/users/{id:guid}/sessions", ListAsync).WithTags("Sessions").WithName("ListUserSessions")
            .WithSummary("Lists a user's sessions, newest first: created, last activity, IP, user agent, login method, end.");
        admin.MapPost("/users/{id:guid}/revoke_sessions", RevokeAllAsync).WithTags("Sessions").WithName("RevokeUserSessions")
            .WithSummary("Ends every active session of the user; their tokens are refused from now on.");
        admin.MapPost("/sessions/{id:guid}/revoke", RevokeAsync).WithTags("Sessions").WithName("RevokeSession")
            .WithSummary("Ends one session; its tokens are refused from now on. Revoking an ended session changes nothing.");
        return admin;
    }

    private static async Task<Results<Ok<Page<AdminSessionView>>, AdminError>> ListAsync(
        Guid id, [AsParameters] PageQuery page, AdminCaller caller, SessionAdmin sessions, CancellationToken cancellationToken) =>
        (await sessions.ListAsync(caller, id, page, cancellationToken)).RespondOk();

    private static async Task<Results<Ok<RevokedSessionsView>, AdminError>> RevokeAllAsync(
        Guid id, AdminCaller caller, SessionAdmin sessions, CancellationToken cancellationToken) =>
        (await sessions.RevokeAllAsync(caller, id, cancellationToken)).RespondOk();

    private static async Task<Results<Ok<AdminSessionView>, AdminError>> RevokeAsync(
        Guid id, AdminCaller caller, SessionAdmin sessions, CancellationToken cancellationToken) =>
        (await sessions.RevokeAsync(caller, id, cancellationToken)).RespondOk();
}
