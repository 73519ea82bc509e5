using System.Net;
using AuthServer.Data;
using AuthServer.Data.Entities;
using AuthServer.Errors;
using AuthServer.Features.Admin;
using AuthServer.Features.Audit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AuthServer.Features.Webhooks;

/// <summary>The admin side of webhooks: endpoints of an organization, their deliveries and attempts, "send again".</summary>
public sealed class WebhookAdmin(AuthDbContext db, WebhookSigner signer, WebhookSubscriptions subscriptions, AuditTrail audit,
    IOptions<WebhookOptions> options, TimeProvider clock)
{
    public const string AuditTarget = "webhookEndpoint";
    private const int MaxUrlLength = 2048;

    public async Task<Outcome<WebhookSecretView>> CreateAsync(AdminCaller caller, Guid organizationId, WebhookEndpointRequest? request, CancellationToken cancellationToken)
    {
        if (caller.CheckAccess(organizationId) is { } denied)
        {
            return denied;
        }

        if (!await db.Organizations.AnyAsync(o => o.Id == organizationId, cancellationToken))
        {
            return AuthError.EntityMissing("No organization with this id exists.");
        }

        var missing = new List<string>();
        if (string.IsNullOrWhiteSpace(request?.Url))
        {
            missing.Add("url");
        }

        if (request?.EventTypes is null)
        {
            missing.Add("eventTypes");
        }

        if (missing.Count > 0)
        {
            return AuthError.MissingFields([.. missing]);
        }

        if (Validate(request!) is { } invalid)
        {
            return invalid;
        }

        var secret = WebhookSigner.GenerateSecret();
        var now = clock.GetUtcNow();
        var endpoint = new WebhookEndpoint
        {
            Id = Guid.NewGuid(),
            OrganizationId = organizationId,
            Url = request!.Url!.Trim(),
            Description = request.Description?.Trim(),
            EventTypes = [.. request.EventTypes!.Distinct(StringComparer.Ordinal)],
            Enabled = request.Enabled ?? true,
            ProtectedSecret = signer.Protect(secret),
            Created = now,
            Updated = now,
        };
        db.WebhookEndpoints.Add(endpoint);
        audit.Add(AuditActor.Of(caller), "webhook.create", AuditTarget, endpoint.Id.ToString(), organizationId);
        await db.SaveChangesAsync(cancellationToken);
        subscriptions.Invalidate(organizationId);
        return new WebhookSecretView(WebhookEndpointView.From(endpoint), secret);
    }

    public async Task<Outcome<Page<WebhookEndpointView>>> ListAsync(AdminCaller caller, Guid organizationId, PageQuery query, CancellationToken cancellationToken)
    {
        if (caller.CheckAccess(organizationId) is { } denied)
        {
            return denied;
        }

        var paging = query.Validate();
        if (paging.Failed)
        {
            return paging.Error!;
        }

        return await db.WebhookEndpoints.AsNoTracking().Where(e => e.OrganizationId == organizationId)
            .OrderBy(e => e.Created).ThenBy(e => e.Id).ToPageAsync(paging.Value!, WebhookEndpointView.From, cancellationToken);
    }

    public async Task<Outcome<WebhookEndpointView>> GetAsync(AdminCaller caller, Guid id, CancellationToken cancellationToken)
    {
        var found = await FindAsync(caller, id, tracked: false, cancellationToken);
        return found.Failed ? found.Error! : WebhookEndpointView.From(found.Value!);
    }

    public async Task<Outcome<WebhookEndpointView>> UpdateAsync(AdminCaller caller, Guid id, WebhookEndpointRequest? request, CancellationToken cancellationToken)
    {
        var found = await FindAsync(caller, id, tracked: true, cancellationToken);
        if (found.Failed)
        {
            return found.Error!;
        }

        if (request is not null && Validate(request) is { } invalid)
        {
            return invalid;
        }

        var endpoint = found.Value!;
        endpoint.Url = request?.Url?.Trim() ?? endpoint.Url;
        endpoint.Description = request?.Description is { } description ? description.Trim() : endpoint.Description;
        endpoint.EventTypes = request?.EventTypes is { } types ? [.. types.Distinct(StringComparer.Ordinal)] : endpoint.EventTypes;
        if (request?.Enabled is { } enabled && enabled != endpoint.Enabled)
        {
            endpoint.Enabled = enabled;
            // Enabled again by hand: the failures that disabled it are history.
            endpoint.DisabledReason = null;
            endpoint.ConsecutiveFailures = 0;
        }

        endpoint.Updated = clock.GetUtcNow();
        audit.Add(AuditActor.Of(caller), "webhook.update", AuditTarget, endpoint.Id.ToString(), endpoint.OrganizationId);
        await db.SaveChangesAsync(cancellationToken);
        subscriptions.Invalidate(endpoint.OrganizationId);
        return WebhookEndpointView.From(endpoint);
    }

    /// <summary>Deletes the endpoint with its deliveries and attempts (database cascades).</summary>
    public async Task<Outcome<bool>> DeleteAsync(AdminCaller caller, Guid id, CancellationToken cancellationToken)
    {
        var found = await FindAsync(caller, id, tracked: true, cancellationToken);
        if (found.Failed)
        {
            return found.Error!;
        }

        db.WebhookEndpoints.Remove(found.Value!);
        audit.Add(AuditActor.Of(caller), "webhook.delete", AuditTarget, id.ToString(), found.Value!.OrganizationId);
        await db.SaveChangesAsync(cancellationToken);
        subscriptions.Invalidate(found.Value!.OrganizationId);
        return true;
    }

    /// <summary>A new signing secret, in clear this once; the old one stops signing at once.</summary>
    public async Task<Outcome<WebhookSecretView>> RotateSecretAsync(AdminCaller caller, Guid id, CancellationToken cancellationToken)
    {
        var found = await FindAsync(caller, id, tracked: true, cancellationToken);
        if (found.Failed)
        {
            return found.Error!;
        }

        var endpoint = found.Value!;
        var secret = WebhookSigner.GenerateSecret();
        endpoint.ProtectedSecret = signer.Protect(secret);
        endpoint.Updated = clock.GetUtcNow();
        audit.Add(AuditActor.Of(caller), "webhook.rotateSecret", AuditTarget, id.ToString(), endpoint.OrganizationId);
        await db.SaveChangesAsync(cancellationToken);
        return new WebhookSecretView(WebhookEndpointView.From(endpoint), secret);
    }

    /// <summary>The endpoint's deliveries, newest first.</summary>
    public async Task<Outcome<Page<WebhookDeliveryView>>> ListDeliveriesAsync(AdminCaller caller, Guid id, PageQuery query, CancellationToken cancellationToken)
    {
        var paging = query.Validate();
        if (paging.Failed)
        {
            return paging.Error!;
        }

        var found = await FindAsync(caller, id, tracked: false, cancellationToken);
        if (found.Failed)
        {
            return found.Error!;
        }

        return await db.WebhookDeliveries.AsNoTracking().Where(d => d.EndpointId == id)
            .OrderByDescending(d => d.Created).ThenBy(d => d.Id).ToPageAsync(paging.Value!, WebhookDeliveryView.From, cancellationToken);
    }

    /// <summary>Every attempt of one delivery, oldest first.</summary>
    public async Task<Outcome<IReadOnlyList<WebhookAttemptView>>> ListAttemptsAsync(AdminCaller caller, Guid deliveryId, CancellationToken cancellationToken)
    {
        var delivery = await FindDeliveryAsync(caller, deliveryId, tracked: false, cancellationToken);
        if (delivery.Failed)
        {
            return delivery.Error!;
        }

        var attempts = await db.WebhookAttempts.AsNoTracking().Where(a => a.DeliveryId == deliveryId)
            .OrderBy(a => a.AttemptedAt).ThenBy(a => a.Id).ToListAsync(cancellationToken);
        return attempts.Select(WebhookAttemptView.From).ToList();
    }

    /// <summary>
    /// Sends the delivery again: queued now with a fresh retry schedule, with the same <c>webhook-id</c> (a
    /// receiver that already has it may drop it). Refused while the endpoint is disabled.
    /// </summary>
    public async Task<Outcome<WebhookDeliveryView>> ResendAsync(AdminCaller caller, Guid deliveryId, CancellationToken cancellationToken)
    {
        var found = await FindDeliveryAsync(caller, deliveryId, tracked: true, cancellationToken);
        if (found.Failed)
        {
            return found.Error!;
        }

        var delivery = found.Value!;
        if (!await db.WebhookEndpoints.AnyAsync(e => e.Id == delivery.EndpointId && e.Enabled, cancellationToken))
        {
            return AuthError.EntityInvalid("endpoint", "The endpoint is disabled: enable it first.");
        }

        delivery.Status = WebhookEvents.Pending;
        delivery.Attempts = 0;
        delivery.NextAttemptAt = clock.GetUtcNow();
        delivery.DeliveredAt = null;
        audit.Add(AuditActor.Of(caller), "webhook.resend", AuditTarget, delivery.EndpointId.ToString(), delivery.OrganizationId);
        await db.SaveChangesAsync(cancellationToken);
        return WebhookDeliveryView.From(delivery);
    }

    private async Task<Outcome<WebhookEndpoint>> FindAsync(AdminCaller caller, Guid id, bool tracked, CancellationToken cancellationToken)
    {
        var endpoints = tracked ? db.WebhookEndpoints : db.WebhookEndpoints.AsNoTracking();
        var endpoint = await endpoints.SingleOrDefaultAsync(e => e.Id == id, cancellationToken);
        if (endpoint is null)
        {
            return AuthError.EntityMissing("No webhook endpoint with this id exists.");
        }

        return caller.CheckAccess(endpoint.OrganizationId) is { } denied ? denied : endpoint;
    }

    private async Task<Outcome<WebhookDelivery>> FindDeliveryAsync(AdminCaller caller, Guid id, bool tracked, CancellationToken cancellationToken)
    {
        var deliveries = tracked ? db.WebhookDeliveries : db.WebhookDeliveries.AsNoTracking();
        var delivery = await deliveries.SingleOrDefaultAsync(d => d.Id == id, cancellationToken);
        if (delivery is null)
        {
            return AuthError.EntityMissing("No webhook delivery with this id exists.");
        }

        return caller.CheckAccess(delivery.OrganizationId) is { } denied ? denied : delivery;
    }

    /// <summary>
    /// The URL: absolute https (http too when private networks are allowed, for local receivers), no credentials
    /// in it, not a literal non-public address unless allowed. Names are checked again at connect time.
    /// </summary>
    private AuthError? Validate(WebhookEndpointRequest request)
    {
        var details = new List<ErrorDetail>();
        if (request.Url is { } url)
        {
            var allowPrivate = options.Value.AllowPrivateNetworks;
            if (url.Length > MaxUrlLength || !Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri)
                || !(uri.Scheme == Uri.UriSchemeHttps || (allowPrivate && uri.Scheme == Uri.UriSchemeHttp)))
            {
                details.Add(new ErrorDetail("url", allowPrivate ? "Must be an absolute http or https URL." : "Must be an absolute https URL."));
            }
            else if (!string.IsNullOrEmpty(uri.UserInfo) || !string.IsNullOrEmpty(uri.Fragment))
            {
                details.Add(new ErrorDetail("url", "Must not carry credentials or a fragment."));
            }
            else if (!allowPrivate && IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out var address) && !WebhookHttp.IsPublic(address))
            {
                details.Add(new ErrorDetail("url", "Must not be a loopback, private or link-local address (Webhooks:AllowPrivateNetworks is off)."));
            }
        }

        if (request.EventTypes is { } types)
        {
            if (types.Count == 0)
            {
                details.Add(new ErrorDetail("eventTypes", "Subscribe to at least one event type."));
            }

            for (var i = 0; i < types.Count; i++)
            {
                if (!WebhookEventTypes.All.Contains(types[i], StringComparer.Ordinal))
                {
                    details.Add(new ErrorDetail($"eventTypes[{i}]", "Unknown event type; known: " + string.Join(", ", WebhookEventTypes.All) + "."));
                }
            }
        }

        if (request.Description is { Length: > 500 })
        {
            details.Add(new ErrorDetail("description", "At most 500 characters."));
        }

        return details.Count > 0 ? AuthError.EntityInvalid(details) : null;
    }
}
