using System.Security.Cryptography;
using System.Text.Json;
using AuthServer.Data;
using AuthServer.Data.Entities;
using AuthServer.Errors;
using AuthServer.Features.Admin;
using AuthServer.Features.Audit;
using AuthServer.Features.Organizations;
using AuthServer.Pages;
using Microsoft.EntityFrameworkCore;

namespace AuthServer.Features.Branding;

/// <summary>
/// The admin side of branding: permission, validation and audit; changes go through <see cref="OrganizationService"/>,
/// which drops the organization from the cache so every instance shows them within the cache's lifetime.
/// </summary>
public sealed class BrandingAdmin(AuthDbContext db, OrganizationService organizations, PageContextFactory pages, AuditTrail audit, TimeProvider clock)
{
    public async Task<Outcome<BrandingView>> GetAsync(AdminCaller caller, Guid id, CancellationToken cancellationToken)
    {
        if (caller.CheckAccess(id) is { } denied)
        {
            return denied;
        }

        var organization = await db.Organizations.AsNoTracking().SingleOrDefaultAsync(o => o.Id == id, cancellationToken);
        return organization is null ? Missing() : View(organization);
    }

    public async Task<Outcome<BrandingView>> ReplaceAsync(AdminCaller caller, Guid id, BrandingRequest? request, CancellationToken cancellationToken)
    {
        if (caller.CheckAccess(id) is { } denied)
        {
            return denied;
        }

        var validation = new BrandingValidation(pages.KnownKeys);
        var branding = validation.Check(request ?? new BrandingRequest());
        if (branding is null)
        {
            return validation.Error;
        }

        var updated = await organizations.UpdateAsync(id, organization =>
        {
            // The uploaded logo has its own endpoint: replacing the rest keeps it.
            branding.LogoHash = organization.Branding.LogoHash;
            organization.Branding = branding;
        }, cancellationToken);
        if (updated is null)
        {
            return Missing();
        }

        await audit.RecordAsync(AuditActor.Of(caller), "organization.branding", AuditTrail.Targets.Organization, id.ToString(), id, cancellationToken);
        return View(updated);
    }

    /// <summary>Stores an uploaded logo after checking its bytes: PNG, JPEG or WebP, at most <see cref="LogoImage.MaxBytes"/>.</summary>
    public async Task<Outcome<BrandingView>> UploadLogoAsync(AdminCaller caller, Guid id, HttpRequest request, CancellationToken cancellationToken)
    {
        if (caller.CheckAccess(id) is { } denied)
        {
            return denied;
        }

        var content = await ReadUpToAsync(request.Body, LogoImage.MaxBytes + 1, cancellationToken);
        if (content.Length == 0)
        {
            return AuthError.EntityInvalid("body", "The request body must be the image (PNG, JPEG or WebP).");
        }

        if (content.Length > LogoImage.MaxBytes)
        {
            return AuthError.EntityInvalid("body", $"The logo is larger than {LogoImage.MaxBytes / 1024} KB.");
        }

        if (LogoImage.Sniff(content) is not { } contentType)
        {
            // SVG is refused whatever it contains: it is a document that can run script.
            return AuthError.EntityInvalid("body", "The logo must be a PNG, JPEG or WebP image (SVG is not accepted).");
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(content));
        // One transaction: the image row (an upsert, so two uploads at once cannot collide on the key) and the
        // hash that names it change together.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var now = clock.GetUtcNow();
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO organization_logos ("OrganizationId", "ContentType", "Content", "Hash", "Created")
            SELECT {id}, {contentType}, {content}, {hash}, {now} WHERE EXISTS (SELECT 1 FROM organizations WHERE "Id" = {id})
            ON CONFLICT ("OrganizationId") DO UPDATE SET "ContentType" = excluded."ContentType", "Content" = excluded."Content",
                "Hash" = excluded."Hash", "Created" = excluded."Created"
            """, cancellationToken);
        var updated = await organizations.UpdateAsync(id, organization => organization.Branding.LogoHash = hash, cancellationToken);
        if (updated is null)
        {
            return Missing();
        }

        await transaction.CommitAsync(cancellationToken);
        await audit.RecordAsync(AuditActor.Of(caller), "organization.logo", AuditTrail.Targets.Organization, id.ToString(), id, cancellationToken);
        return View(updated);
    }

    public async Task<Outcome<BrandingView>> DeleteLogoAsync(AdminCaller caller, Guid id, CancellationToken cancellationToken)
    {
        if (caller.CheckAccess(id) is { } denied)
        {
            return denied;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.OrganizationLogos.Where(l => l.OrganizationId == id).ExecuteDeleteAsync(cancellationToken);
        var updated = await organizations.UpdateAsync(id, organization => organization.Branding.LogoHash = null, cancellationToken);
        if (updated is null)
        {
            return Missing();
        }

        await transaction.CommitAsync(cancellationToken);

        await audit.RecordAsync(AuditActor.Of(caller), "organization.logo", AuditTrail.Targets.Organization, id.ToString(), id, cancellationToken);
        return View(updated);
    }

    private static async Task<byte[]> ReadUpToAsync(Stream body, int limit, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while (buffer.Length < limit && (read = await body.ReadAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, limit - buffer.Length)), cancellationToken)) > 0)
        {
            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static BrandingView View(Organization organization)
    {
        var branding = organization.Branding;
        var strings = branding.StringOverrides is null
            ? new Dictionary<string, Dictionary<string, string>>()
            : JsonSerializer.Deserialize<Dictionary<string, Dictionary<string, string>>>(branding.StringOverrides) ?? [];
        return new BrandingView(organization.Id, branding.DisplayName, BrandingUrls.Logo(organization.Id, branding), branding.LogoHash is not null,
            branding.AccentColor, branding.AccentTextColor, branding.SupportEmail, branding.SupportUrl, branding.DefaultLanguage, strings);
    }

    private static AuthError Missing() => AuthError.EntityMissing("No organization with this id exists.");
}
