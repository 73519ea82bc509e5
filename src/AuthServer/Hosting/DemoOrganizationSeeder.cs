using AuthServer.Data;
using AuthServer.Features.Organizations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AuthServer.Hosting;

/// <summary>
/// On the first run of ./run.sh, creates a demo organization and prints what a newcomer needs to try a
/// sign-in: client id, secret (shown this once), the whitelisted origin and a login URL.
/// </summary>
public sealed class DemoOrganizationSeeder(IServiceScopeFactory scopes, IOptions<DemoOptions> demo, IOptions<ServerOptions> server, ILogger<DemoOrganizationSeeder> logger)
{
    public const string DemoName = "Demo organization";

    public async Task SeedAsync(CancellationToken cancellationToken)
    {
        if (!demo.Value.CreateOrganization)
        {
            return;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AuthDbContext>();
        var existing = await db.Organizations.AsNoTracking().Where(o => o.Name == DemoName).Select(o => (Guid?)o.Id).FirstOrDefaultAsync(cancellationToken);
        if (existing is { } id)
        {
            logger.LogInformation("Demo organization {ClientId} exists; its secret was printed on the first run", id);
            return;
        }

        var appOrigin = demo.Value.AppOrigin;
        var created = await scope.ServiceProvider.GetRequiredService<OrganizationService>().CreateAsync(
            DemoName, [appOrigin], o => o.Settings.AllowLocalhost = true, cancellationToken);

        var loginUrl = $"{server.Value.PublicBaseUrl.TrimEnd('/')}/login?client_id={created.Organization.Id}"
            + $"&redirect_uri={Uri.EscapeDataString(appOrigin + "/api/auth/callback")}&response_type=code&state=demo-state"
            + "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256";
        // Written to the console directly: this is for the person at the terminal, once.
        Console.WriteLine($"""

            ==== Demo organization created ====
            client id : {created.Organization.Id}
            secret    : {created.Secret}   (shown only now)
            whitelist : {appOrigin} (and localhost is allowed)
            login URL : {loginUrl}
            (the code_verifier for that challenge is dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk)
            ===================================

            """);
    }
}
