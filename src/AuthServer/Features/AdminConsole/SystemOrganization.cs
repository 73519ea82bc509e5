using AuthServer.Data;
using AuthServer.Features.Organizations;
using AuthServer.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace AuthServer.Features.AdminConsole;

/// <summary>
/// The organization whose users are the console's administrators. The console is an app of it on the
/// CentralAuth face: its callback is on this server's own origin, and administrators sign in on the hosted
/// login page like anyone else. Created on first start with a fixed id (concurrent first starts race on the
/// primary key; the loser finds the winner's), and brought in line with the configuration at every start.
/// </summary>
public sealed class SystemOrganization(IServiceScopeFactory scopes, IOptions<ServerOptions> server, IOptions<ConsoleOptions> console, ILogger<SystemOrganization> logger)
{
    /// <summary>Its id, which is its client_id. Fixed, so every instance knows it without a lookup; a client id is public.</summary>
    public static readonly Guid Id = new("a0a0a0a0-0000-4000-8000-00000000a0a0");

    public const string Name = "Administrators";

    public async Task EnsureAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AuthDbContext>();
        var organizations = scope.ServiceProvider.GetRequiredService<OrganizationService>();
        var origin = OriginRules.Normalize(server.Value.PublicBaseUri.GetLeftPart(UriPartial.Authority));
        var inactivity = (int)console.Value.MaxInactivityTime.TotalSeconds;
        var lifetime = (int)console.Value.MaxSessionTime.TotalSeconds;
        var localhost = OriginRules.IsLocalhost(origin);

        var existing = await db.Organizations.AsNoTracking().SingleOrDefaultAsync(o => o.Id == Id, cancellationToken);
        if (existing is null)
        {
            try
            {
                await organizations.CreateAsync(Name, [origin], organization =>
                {
                    organization.Id = Id;
                    // Only administrators added by `admin add` have a user here; nobody signs up.
                    organization.Settings.EnableUserCreation = false;
                    // The console's callback is on this server: on localhost when the server itself is (development).
                    organization.Settings.AllowLocalhost = localhost;
                    organization.Settings.CheckUserAgent = true;
                    organization.Settings.MaxInactivityTime = inactivity;
                    organization.Settings.MaxSessionTime = lifetime;
                }, cancellationToken);
                logger.LogInformation("Created the system organization {ClientId} of the admin console", Id);
            }
            catch (DbUpdateException exception) when (exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
            {
                // Another instance created it first.
            }

            return;
        }

        if (!existing.WhitelistedOrigins.Contains(origin) || existing.Settings.MaxInactivityTime != inactivity
            || existing.Settings.MaxSessionTime != lifetime || existing.Settings.EnableUserCreation || existing.Settings.AllowLocalhost != localhost)
        {
            // The public URL or the console's limits changed since the last start.
            await organizations.UpdateAsync(Id, organization =>
            {
                organization.WhitelistedOrigins = [.. organization.WhitelistedOrigins.Where(o => o != origin), origin];
                organization.Settings.MaxInactivityTime = inactivity;
                organization.Settings.MaxSessionTime = lifetime;
                organization.Settings.EnableUserCreation = false;
                organization.Settings.AllowLocalhost = localhost;
            }, cancellationToken);
        }
    }
}
