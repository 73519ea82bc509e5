using AuthServer.Features.Audit;
using AuthServer.Data;
using AuthServer.Errors;
using AuthServer.Features.Organizations;
using Microsoft.EntityFrameworkCore;

namespace AuthServer.Features.Admin;

/// <summary>
/// The admin side of organizations: permission, validation and audit around <see cref="OrganizationService"/>,
/// which makes the changes (and keeps the cache and the OpenID Connect client in step).
/// </summary>
public sealed class OrganizationAdmin(AuthDbContext db, OrganizationService organizations, AuditTrail audit)
{
    public async Task<Outcome<CreatedOrganizationView>> CreateAsync(AdminCaller caller, OrganizationRequest? request, CancellationToken cancellationToken)
    {
        // A scoped key has one organization; a new one is beyond it.
        if (caller.CheckGlobal() is { } denied)
        {
            return denied;
        }

        if (string.IsNullOrWhiteSpace(request?.Name))
        {
            return AuthError.MissingFields("name");
        }

        var validation = new OrganizationValidation();
        var name = validation.Name(request.Name);
        var origins = validation.Origins(request.WhitelistedOrigins);
        var redirectUris = validation.RedirectUris(request.RedirectUris);
        var settings = validation.Settings(request.Settings);
        var connections = OrganizationValidation.Connections(request.Connections);
        if (!validation.IsValid)
        {
            return validation.Error;
        }

        var created = await organizations.CreateAsync(name!, origins ?? [], organization =>
        {
            organization.RedirectUris = redirectUris ?? [];
            settings?.Invoke(organization.Settings);
            connections?.Invoke(organization.Connections);
        }, cancellationToken);
        var id = created.Organization.Id;
        await audit.RecordAsync(AuditActor.Of(caller), "organization.create", AuditTrail.Targets.Organization, id.ToString(), id, cancellationToken);
        return new CreatedOrganizationView(OrganizationView.From(created.Organization), id.ToString(), created.Secret);
    }

    public async Task<Outcome<OrganizationView>> GetAsync(AdminCaller caller, Guid id, CancellationToken cancellationToken)
    {
        if (caller.CheckAccess(id) is { } denied)
        {
            return denied;
        }

        var organization = await db.Organizations.AsNoTracking().SingleOrDefaultAsync(o => o.Id == id, cancellationToken);
        return organization is null ? Missing() : OrganizationView.From(organization);
    }

    public async Task<Outcome<Page<OrganizationView>>> ListAsync(AdminCaller caller, PageQuery query, CancellationToken cancellationToken)
    {
        if (caller.CheckGlobal() is { } denied)
        {
            return denied;
        }

        var paging = query.Validate();
        if (paging.Failed)
        {
            return paging.Error!;
        }

        return await db.Organizations.AsNoTracking().OrderBy(o => o.Created).ThenBy(o => o.Id)
            .ToPageAsync(paging.Value!, OrganizationView.From, cancellationToken);
    }

    /// <summary>
    /// The organizations the caller may see (every one for a global caller, its own for a scoped one), oldest
    /// first; <paramref name="name"/> matches any part of the name, without case. The console's list.
    /// </summary>
    public async Task<Outcome<Page<OrganizationView>>> ListVisibleAsync(AdminCaller caller, string? name, PageQuery query, CancellationToken cancellationToken)
    {
        var paging = query.Validate();
        if (paging.Failed)
        {
            return paging.Error!;
        }

        var organizations = db.Organizations.AsNoTracking();
        if (caller.Organizations is { } allowed)
        {
            organizations = organizations.Where(o => allowed.Contains(o.Id));
        }

        if (!string.IsNullOrWhiteSpace(name))
        {
            var pattern = "%" + Like.Escape(name.Trim()) + "%";
            organizations = organizations.Where(o => EF.Functions.ILike(o.Name, pattern, "\\"));
        }

        return await organizations.OrderBy(o => o.Created).ThenBy(o => o.Id).ToPageAsync(paging.Value!, OrganizationView.From, cancellationToken);
    }

    public async Task<Outcome<OrganizationView>> UpdateAsync(AdminCaller caller, Guid id, OrganizationRequest? request, CancellationToken cancellationToken)
    {
        if (caller.CheckAccess(id) is { } denied)
        {
            return denied;
        }

        var validation = new OrganizationValidation();
        var name = request?.Name is null ? null : validation.Name(request.Name);
        var origins = validation.Origins(request?.WhitelistedOrigins);
        var redirectUris = validation.RedirectUris(request?.RedirectUris);
        var settings = validation.Settings(request?.Settings);
        var connections = OrganizationValidation.Connections(request?.Connections);
        if (!validation.IsValid)
        {
            return validation.Error;
        }

        var updated = await organizations.UpdateAsync(id, organization =>
        {
            organization.Name = name ?? organization.Name;
            organization.WhitelistedOrigins = origins ?? organization.WhitelistedOrigins;
            organization.RedirectUris = redirectUris ?? organization.RedirectUris;
            settings?.Invoke(organization.Settings);
            connections?.Invoke(organization.Connections);
        }, cancellationToken);
        if (updated is null)
        {
            return Missing();
        }

        await audit.RecordAsync(AuditActor.Of(caller), "organization.update", AuditTrail.Targets.Organization, id.ToString(), id, cancellationToken);
        return OrganizationView.From(updated);
    }

    public async Task<Outcome<bool>> DeleteAsync(AdminCaller caller, Guid id, CancellationToken cancellationToken)
    {
        // Deleting takes the organization's users, sessions and scoped keys with it: global keys only.
        if (caller.CheckGlobal() is { } denied)
        {
            return denied;
        }

        if (!await organizations.DeleteAsync(id, cancellationToken))
        {
            return Missing();
        }

        await audit.RecordAsync(AuditActor.Of(caller), "organization.delete", AuditTrail.Targets.Organization, id.ToString(), id, cancellationToken);
        return true;
    }

    public async Task<Outcome<RotatedSecretView>> RotateSecretAsync(AdminCaller caller, Guid id, CancellationToken cancellationToken)
    {
        if (caller.CheckAccess(id) is { } denied)
        {
            return denied;
        }

        var rotated = await organizations.RotateSecretAsync(id, cancellationToken);
        if (rotated is null)
        {
            return Missing();
        }

        await audit.RecordAsync(AuditActor.Of(caller), "organization.rotateSecret", AuditTrail.Targets.Organization, id.ToString(), id, cancellationToken);
        return new RotatedSecretView(id, rotated.Secret, rotated.Created);
    }

    public async Task<Outcome<OrganizationView>> ActivateSecretAsync(AdminCaller caller, Guid id, CancellationToken cancellationToken)
    {
        if (caller.CheckAccess(id) is { } denied)
        {
            return denied;
        }

        var activated = await organizations.ActivateSecretAsync(id, cancellationToken);
        if (activated.Failed)
        {
            return activated.Error!;
        }

        await audit.RecordAsync(AuditActor.Of(caller), "organization.activateSecret", AuditTrail.Targets.Organization, id.ToString(), id, cancellationToken);
        return OrganizationView.From(activated.Value!);
    }

    private static AuthError Missing() => AuthError.EntityMissing("No organization with this id exists.");
}
