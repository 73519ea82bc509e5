using Microsoft.AspNetCore.Http.HttpResults;

namespace AuthServer.Features.Admin;

public static class AuditLogEndpoints
{
    public static RouteGroupBuilder MapAuditLogAdmin(this RouteGroupBuilder admin)
    {
        admin.MapGet("/audit_log", ListAsync).WithTags("Audit log").WithName("ListAuditLog")
            .WithSummary("Lists audit entries, newest first, filtered by action, target, actor and time range; a scoped key sees its organization's only.");
        return admin;
    }

    private static async Task<Results<Ok<Page<AuditEntryView>>, AdminError>> ListAsync(
        [AsParameters] AuditLogQuery filter, [AsParameters] PageQuery page, AdminCaller caller, AuditLog audit, CancellationToken cancellationToken) =>
        (await audit.ListAsync(caller, filter, page, cancellationToken)).RespondOk();
}
