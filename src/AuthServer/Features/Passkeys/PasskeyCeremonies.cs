using AuthServer.Data;
using AuthServer.Data.Entities;
using AuthServer.Errors;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AuthServer.Features.Passkeys;

/// <summary>A pending ceremony handed to the page's script: its id and the options for navigator.credentials.</summary>
public sealed record PasskeyChallenge(Guid Ceremony, string OptionsJson);

/// <summary>
/// Pending WebAuthn ceremonies, kept server-side (the handler's state never reaches the browser), answered
/// once and for a few minutes only.
/// </summary>
public sealed class PasskeyCeremonies(AuthDbContext db, IOptions<PasskeyOptions> options, TimeProvider clock)
{
    /// <summary>Adds a ceremony to the current unit of work.</summary>
    public PasskeyCeremony Add(PasskeyCeremonyKind kind, Guid organizationId, Guid requestId, Guid? userId, string? state)
    {
        var now = clock.GetUtcNow();
        var ceremony = new PasskeyCeremony
        {
            Id = Guid.NewGuid(),
            Kind = kind,
            OrganizationId = organizationId,
            AuthorizationRequestId = requestId,
            UserId = userId,
            State = state ?? throw new InvalidOperationException("The passkey handler returned no ceremony state."),
            Created = now,
            ExpiresAt = now + options.Value.CeremonyLifetime,
        };
        db.PasskeyCeremonies.Add(ceremony);
        return ceremony;
    }

    /// <summary>
    /// Spends the ceremony in one conditional UPDATE, committed at once: whatever the answer turns out to be,
    /// this challenge cannot be answered again, and of two concurrent answers only one gets it.
    /// </summary>
    public async Task<Outcome<PasskeyCeremony>> SpendAsync(Guid? id, PasskeyCeremonyKind kind, CancellationToken cancellationToken)
    {
        if (id is null)
        {
            return AuthError.MissingFields("ceremony");
        }

        var now = clock.GetUtcNow();
        var spent = await db.PasskeyCeremonies.Where(c => c.Id == id && c.Kind == kind && c.ConsumedAt == null && c.ExpiresAt > now)
            .ExecuteUpdateAsync(u => u.SetProperty(c => c.ConsumedAt, now), cancellationToken);
        var ceremony = await db.PasskeyCeremonies.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id && c.Kind == kind, cancellationToken);
        if (ceremony is null)
        {
            return AuthError.PasskeyDataMissing();
        }

        if (spent == 1)
        {
            return ceremony;
        }

        return ceremony.ConsumedAt is not null ? AuthError.PasskeyDataInvalid() : AuthError.PasskeyDataExpired();
    }
}
