using Microsoft.AspNetCore.Http.HttpResults;

namespace AuthServer.Features.Admin;

public static class MailLogEndpoints
{
    public static RouteGroupBuilder MapMailLogAdmin(this RouteGroupBuilder admin)
    {
        admin.MapGet("/mail_log", ListAsync).WithTags("Mail log").WithName("ListMailLog")
            .WithSummary("Lists queued and sent emails, newest first: recipient, organization, kind, status, attempts, last error, times; never the content. A scoped key sees its organization's only.");
        return admin;
    }

    private static async Task<Results<Ok<Page<MailLogEntryView>>, AdminError>> ListAsync(
        [AsParameters] MailLogQuery filter, [AsParameters] PageQuery page, AdminCaller caller, MailLog mail, CancellationToken cancellationToken) =>
        (await mail.ListAsync(caller, filter, page, cancellationToken)).RespondOk();
}
