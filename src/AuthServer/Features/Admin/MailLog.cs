using AuthServer.Data;
using AuthServer.Data.Entities;
using AuthServer.Errors;
using AuthServer.Features.Login.Email;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace AuthServer.Features.Admin;

/// <summary>
/// One queued email as the mail log shows it: who, for which organization, what kind, how delivery went.
/// Never the subject or body (they carry the sign-in code or link).
/// </summary>
public sealed record MailLogEntryView(
    Guid Id, string Recipient, Guid? OrganizationId, string Kind, string Status, int Attempts, string? LastError,
    DateTimeOffset Created, DateTimeOffset? LastAttemptAt, DateTimeOffset? NextAttemptAt, DateTimeOffset? SentAt, DateTimeOffset ExpiresAt)
{
    public static MailLogEntryView From(OutboxEmail e) =>
        new(e.Id, e.Recipient, e.OrganizationId, e.Kind, e.Status, e.Attempts, e.LastError, e.Created, e.LastAttemptAt,
            e.Status == EmailOutbox.Statuses.Pending ? e.NextAttemptAt : null, e.SentAt, e.ExpiresAt);
}

/// <summary>Filters of GET /api/v1/admin/mail_log; every one optional, all combined.</summary>
public sealed class MailLogQuery
{
    /// <summary>Only this organization's emails (a scoped key sees only its own anyway).</summary>
    [FromQuery(Name = "organizationId")]
    public string? OrganizationId { get; init; }

    /// <summary>pending, sent, failed or expired.</summary>
    [FromQuery(Name = "status")]
    public string? Status { get; init; }

    /// <summary>Only emails to this address (compared without case).</summary>
    [FromQuery(Name = "recipient")]
    public string? Recipient { get; init; }
}

/// <summary>The mail log: the email queue's rows, newest first, scoped like the audit log.</summary>
public sealed class MailLog(AuthDbContext db)
{
    public async Task<Outcome<Page<MailLogEntryView>>> ListAsync(AdminCaller caller, MailLogQuery filter, PageQuery page, CancellationToken cancellationToken)
    {
        var details = new List<ErrorDetail>();
        Guid? requested = null;
        if (!string.IsNullOrEmpty(filter.OrganizationId))
        {
            if (Guid.TryParse(filter.OrganizationId, out var parsed))
            {
                requested = parsed;
            }
            else
            {
                details.Add(new ErrorDetail("organizationId", "Must be an organization id (a UUID)."));
            }
        }

        if (!string.IsNullOrEmpty(filter.Status) && !EmailOutbox.Statuses.All.Contains(filter.Status))
        {
            details.Add(new ErrorDetail("status", $"Must be one of: {string.Join(", ", EmailOutbox.Statuses.All)}."));
        }

        if (filter.Recipient is { Length: > 320 })
        {
            details.Add(new ErrorDetail("recipient", "Must be at most 320 characters."));
        }

        var paging = page.Validate();
        if (paging.Failed)
        {
            details.AddRange(paging.Error!.Details ?? []);
        }

        if (details.Count > 0)
        {
            return AuthError.EntityInvalid(details);
        }

        // A scoped caller sees its own organizations' emails only.
        if (requested is { } scope && caller.CheckAccess(scope) is { } denied)
        {
            return denied;
        }

        var query = db.OutboxEmails.AsNoTracking();
        if (requested is { } only)
        {
            query = query.Where(e => e.OrganizationId == only);
        }
        else if (caller.Organizations is { } allowed)
        {
            query = query.Where(e => e.OrganizationId != null && allowed.Contains(e.OrganizationId.Value));
        }

        if (!string.IsNullOrEmpty(filter.Status))
        {
            query = query.Where(e => e.Status == filter.Status);
        }

        if (!string.IsNullOrEmpty(filter.Recipient))
        {
            var recipient = filter.Recipient.Trim().ToLowerInvariant();
            query = query.Where(e => e.Recipient.ToLower() == recipient);
        }

        return await query.OrderByDescending(e => e.Created).ThenBy(e => e.Id).ToPageAsync(paging.Value!, MailLogEntryView.From, cancellationToken);
    }
}
