using System.Net;
using System.Text.Json;
using AuthServer.Tests.Infrastructure;

namespace AuthServer.Tests.MultiInstance;

/// <summary>
/// The server's connection string goes through PgBouncer in transaction pooling mode. Migrations are applied
/// beforehand over a direct connection, as the README says to deploy it: their advisory lock is a session lock,
/// which transaction pooling cannot keep on one server connection.
/// </summary>
public sealed class PgBouncerFixture : LoginServerFixture
{
    private PgBouncer? bouncer;

    protected override IDictionary<string, string?> Settings
    {
        get
        {
            var settings = base.Settings;
            settings["Server:ApplyMigrationsAtStartup"] = "false";
            return settings;
        }
    }

    protected override async Task<string> ServerConnectionStringAsync(TestDatabase created)
    {
        await using (var migrator = new AuthServerFactory(created.ConnectionString))
        {
            _ = migrator.Server; // start-up applies the migrations, directly
        }

        bouncer = await PgBouncer.StartAsync(created);
        return bouncer.ConnectionStringFor(created);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (bouncer is not null)
        {
            await bouncer.DisposeAsync();
        }
    }
}

/// <summary>
/// Behind PgBouncer (transaction mode), as a deployment with many instances runs: start-up (migrations, keys),
/// both faces' sign-ins, and the single use of codes and refresh tokens, which rely on row locks inside one
/// transaction, hold when each transaction may run on another server connection.
/// </summary>
public sealed class PgBouncerTests(PgBouncerFixture fixture) : IClassFixture<PgBouncerFixture>
{
    [Fact]
    public async Task CentralAuth_sign_in_verify_and_userinfo_work_through_the_bouncer()
    {
        var organization = await fixture.CreateOrganizationAsync();
        var login = fixture.Driver();

        var tokens = await login.SignInAndVerifyAsync(organization, "bounced-ada@example.com");
        var userinfo = await login.UserInfoAsync(organization, tokens.AccessToken);

        Assert.Equal(HttpStatusCode.OK, userinfo.StatusCode);
        Assert.Equal("bounced-ada@example.com", JsonDocument.Parse(await userinfo.Content.ReadAsStringAsync()).RootElement.GetProperty("email").GetString());
    }

    [Fact]
    public async Task A_refresh_token_sent_four_times_at_once_rotates_once_and_the_losers_revoke_the_chain()
    {
        await AuthServer.Tests.Tokens.RefreshRace.RunAsync(fixture, "bounced-grace@example.com");
    }
}
