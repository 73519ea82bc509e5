using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AuthServer.Data.Entities;
using AuthServer.Features.CentralAuthApi;
using AuthServer.Features.Organizations;
using AuthServer.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AuthServer.Tests.CentralAuthApi;

/// <summary>POST /api/v1/userinfo and /api/v1/logout: every way a token or its session is refused.</summary>
public sealed class UserInfoTests(LoginServerFixture fixture) : IClassFixture<LoginServerFixture>
{
    private const string Ip = "203.0.113.7";
    private const string UserAgent = "TestBrowser/1.0";

    [Fact]
    public async Task Userinfo_without_domain_is_domainInvalid()
    {
        var (organization, driver, tokens) = await SignedInAsync("nodomain@example.com");
        using var _ = driver;

        var response = await driver.UserInfoAsync(organization, tokens.AccessToken, domain: null);

        await response.AssertErrorAsync(HttpStatusCode.BadRequest, "domainInvalid");
    }

    [Theory]
    [InlineData("https://evil.example.com")]
    [InlineData("evil.example.com")]
    [InlineData("http://app.example.com")]
    [InlineData("http://localhost:3000")]
    [InlineData("not a domain")]
    public async Task Userinfo_with_a_domain_not_whitelisted_is_domainInvalid(string domain)
    {
        var (organization, driver, tokens) = await SignedInAsync("baddomain@example.com");
        using var _ = driver;

        var response = await driver.UserInfoAsync(organization, tokens.AccessToken, domain: domain);

        await response.AssertErrorAsync(HttpStatusCode.BadRequest, "domainInvalid");
    }

    [Fact]
    public async Task Userinfo_with_a_bare_whitelisted_host_as_domain_succeeds()
    {
        var (organization, driver, tokens) = await SignedInAsync("barehost@example.com");
        using var _ = driver;

        var response = await driver.UserInfoAsync(organization, tokens.AccessToken, domain: "app.example.com");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Userinfo_with_an_empty_body_is_tokenMissing()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();

        var empty = await driver.UserInfoAsync(organization, "");
        var blank = await driver.UserInfoAsync(organization, "  \n ");
        var none = await ApiFlows.PostAsync(driver, organization.Basic, "/api/v1/userinfo?domain=" + Uri.EscapeDataString(LoginServerFixture.AppOrigin), null);

        await empty.AssertErrorAsync(HttpStatusCode.Unauthorized, "tokenMissing");
        await blank.AssertErrorAsync(HttpStatusCode.Unauthorized, "tokenMissing");
        await none.AssertErrorAsync(HttpStatusCode.Unauthorized, "tokenMissing");
    }

    [Fact]
    public async Task Userinfo_without_client_credentials_is_tokenMissing()
    {
        var (organization, driver, tokens) = await SignedInAsync("nocreds@example.com");
        using var _ = driver;

        var response = await ApiFlows.PostAsync(driver, null, "/api/v1/userinfo?domain=" + Uri.EscapeDataString(LoginServerFixture.AppOrigin),
            new StringContent(tokens.AccessToken, Encoding.UTF8, "text/plain"));

        await response.AssertErrorAsync(HttpStatusCode.Unauthorized, "tokenMissing");
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("a.b.c.d.e")]
    [InlineData("eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("eyJhbGciOiJub25lIn0.eyJzZXNzaW9uSWQiOiJ4In0.")]
    public async Task Userinfo_with_a_garbage_token_is_tokenInvalid(string token)
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();

        var response = await driver.UserInfoAsync(organization, token);

        await response.AssertErrorAsync(HttpStatusCode.Unauthorized, "tokenInvalid");
    }

    [Fact]
    public async Task Userinfo_with_a_huge_token_is_refused_not_500()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();

        var response = await driver.UserInfoAsync(organization, new string('a', 60_000));
        var logout = await driver.LogoutAsync(organization, new string('a', 60_000));
        var overLimit = await driver.UserInfoAsync(organization, new string('a', 200_000));

        await response.AssertErrorAsync(HttpStatusCode.Unauthorized, "tokenInvalid");
        await logout.AssertErrorAsync(HttpStatusCode.Unauthorized, "tokenInvalid");
        // Over the 64 KB body limit: refused unread.
        await overLimit.AssertErrorAsync(HttpStatusCode.RequestEntityTooLarge, "entityTooLarge");
    }

    [Fact]
    public async Task Userinfo_with_the_id_token_of_another_organization_or_a_token_for_another_audience_is_tokenInvalid()
    {
        var (organization, driver, tokens) = await SignedInAsync("otherorg@example.com");
        using var _ = driver;
        var other = await fixture.CreateOrganizationAsync();
        // Encrypted with this organization's secret but naming another organization as audience.
        var claims = CentralAuthTokens.Decrypt(tokens.AccessToken, [organization.Secret])!;
        claims["aud"] = other.ClientId;
        var wrongAudience = CentralAuthTokens.Encrypt(claims, organization.Secret);

        var atOther = await driver.UserInfoAsync(other, tokens.AccessToken);
        var forOther = await driver.UserInfoAsync(organization, wrongAudience);

        await atOther.AssertErrorAsync(HttpStatusCode.Unauthorized, "tokenInvalid");
        await forOther.AssertErrorAsync(HttpStatusCode.Unauthorized, "tokenInvalid");
    }

    [Fact]
    public async Task Userinfo_with_a_token_past_its_exp_is_tokenInvalid()
    {
        var (organization, driver, tokens) = await SignedInAsync("pastexp@example.com");
        using var _ = driver;
        var claims = CentralAuthTokens.Decrypt(tokens.AccessToken, [organization.Secret])!;
        claims["exp"] = DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds();
        var expired = CentralAuthTokens.Encrypt(claims, organization.Secret);

        var response = await driver.UserInfoAsync(organization, expired);

        await response.AssertErrorAsync(HttpStatusCode.Unauthorized, "tokenInvalid");
    }

    [Fact]
    public async Task Userinfo_after_the_session_row_is_deleted_is_sessionMissing()
    {
        var (organization, driver, tokens) = await SignedInAsync("deleted@example.com");
        using var _ = driver;
        await fixture.Factory.WithDbAsync(db => db.Sessions.Where(s => s.OrganizationId == organization.Id).ExecuteDeleteAsync());

        var response = await driver.UserInfoAsync(organization, tokens.AccessToken);

        await response.AssertErrorAsync(HttpStatusCode.Unauthorized, "sessionMissing");
    }

    [Fact]
    public async Task Userinfo_for_a_session_id_that_never_existed_is_sessionMissing()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        var now = DateTimeOffset.UtcNow;
        var forged = CentralAuthTokens.Encrypt(new JsonObject
        {
            ["sessionId"] = Guid.NewGuid().ToString(),
            ["aud"] = organization.ClientId,
            ["exp"] = now.AddHours(1).ToUnixTimeSeconds(),
        }, organization.Secret);

        var response = await driver.UserInfoAsync(organization, forged);

        await response.AssertErrorAsync(HttpStatusCode.Unauthorized, "sessionMissing");
    }

    [Fact]
    public async Task Userinfo_for_a_session_never_verified_is_sessionNotVerified()
    {
        var (organization, driver, tokens) = await SignedInAsync("notverified@example.com");
        using var _ = driver;
        await UpdateSessionAsync(organization, s => s.VerifiedAt = null);

        var response = await driver.UserInfoAsync(organization, tokens.AccessToken);

        await response.AssertErrorAsync(HttpStatusCode.Unauthorized, "sessionNotVerified");
    }

    [Fact]
    public async Task Userinfo_past_the_maximum_session_time_is_sessionExpired()
    {
        var (organization, driver, tokens) = await SignedInAsync("maxsession@example.com", o => o.Settings.MaxSessionTime = 3600);
        using var _ = driver;
        await UpdateSessionAsync(organization, s =>
        {
            s.Created = DateTimeOffset.UtcNow.AddHours(-2);
            s.LastActivity = DateTimeOffset.UtcNow;
        });

        var response = await driver.UserInfoAsync(organization, tokens.AccessToken);

        await response.AssertErrorAsync(HttpStatusCode.Unauthorized, "sessionExpired");
    }

    [Fact]
    public async Task Userinfo_past_the_inactivity_time_is_sessionInactive()
    {
        var (organization, driver, tokens) = await SignedInAsync("idle@example.com", o => o.Settings.MaxInactivityTime = 600);
        using var _ = driver;
        await UpdateSessionAsync(organization, s => s.LastActivity = DateTimeOffset.UtcNow.AddMinutes(-11));

        var response = await driver.UserInfoAsync(organization, tokens.AccessToken);

        await response.AssertErrorAsync(HttpStatusCode.Unauthorized, "sessionInactive");
    }

    [Fact]
    public async Task Userinfo_after_logout_is_sessionInactive_and_logout_is_idempotent()
    {
        var (organization, driver, tokens) = await SignedInAsync("logout@example.com");
        using var _ = driver;

        var first = await driver.LogoutAsync(organization, tokens.AccessToken);
        var second = await driver.LogoutAsync(organization, tokens.AccessToken);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        await (await driver.UserInfoAsync(organization, tokens.AccessToken)).AssertErrorAsync(HttpStatusCode.Unauthorized, "sessionInactive");
    }

    [Fact]
    public async Task Logout_without_a_body_is_tokenMissing()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();

        var empty = await driver.LogoutAsync(organization, "");
        var none = await ApiFlows.PostAsync(driver, organization.Basic, "/api/v1/logout", null);

        await empty.AssertErrorAsync(HttpStatusCode.Unauthorized, "tokenMissing");
        await none.AssertErrorAsync(HttpStatusCode.Unauthorized, "tokenMissing");
    }

    [Fact]
    public async Task Logout_with_a_garbage_token_or_without_credentials_is_refused()
    {
        var (organization, driver, tokens) = await SignedInAsync("logoutgarbage@example.com");
        using var _ = driver;

        var garbage = await driver.LogoutAsync(organization, "garbage");
        var noCredentials = await ApiFlows.PostAsync(driver, null, "/api/v1/logout", new StringContent(tokens.AccessToken, Encoding.UTF8, "text/plain"));
        var otherOrganization = await driver.LogoutAsync(await fixture.CreateOrganizationAsync(), tokens.AccessToken);

        await garbage.AssertErrorAsync(HttpStatusCode.Unauthorized, "tokenInvalid");
        await noCredentials.AssertErrorAsync(HttpStatusCode.Unauthorized, "tokenMissing");
        await otherOrganization.AssertErrorAsync(HttpStatusCode.Unauthorized, "tokenInvalid");
        Assert.Equal(HttpStatusCode.OK, (await driver.UserInfoAsync(organization, tokens.AccessToken)).StatusCode);
    }

    [Fact]
    public async Task Userinfo_for_a_blocked_user_is_refused()
    {
        var (organization, driver, tokens) = await SignedInAsync("blockedlater@example.com");
        using var _ = driver;
        await fixture.Factory.WithDbAsync(db => db.Users.Where(u => u.OrganizationId == organization.Id)
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.Blocked, true)));

        var response = await driver.UserInfoAsync(organization, tokens.AccessToken);

        await response.AssertErrorAsync(HttpStatusCode.Forbidden, "noPermission");
    }

    [Fact]
    public async Task Userinfo_from_another_ip_with_CheckIp_is_sessionInvalid()
    {
        var (organization, driver, tokens) = await SignedInAsync("checkip@example.com", o => o.Settings.CheckIp = true);
        using var _ = driver;
        // The in-process test server has no remote IP; bind the session as a browser on Ip would have.
        await UpdateSessionAsync(organization, s => s.Ip = Ip);

        var same = await driver.UserInfoAsync(organization, tokens.AccessToken, ip: Ip);
        var other = await driver.UserInfoAsync(organization, tokens.AccessToken, ip: "198.51.100.9");
        var missing = await driver.UserInfoAsync(organization, tokens.AccessToken, ip: null);

        Assert.Equal(HttpStatusCode.OK, same.StatusCode);
        await other.AssertErrorAsync(HttpStatusCode.Unauthorized, "sessionInvalid");
        await missing.AssertErrorAsync(HttpStatusCode.Unauthorized, "sessionInvalid");
    }

    [Fact]
    public async Task Userinfo_from_another_ip_without_CheckIp_succeeds()
    {
        var (organization, driver, tokens) = await SignedInAsync("nocheckip@example.com", o => o.Settings.CheckIp = false);
        using var _ = driver;
        await UpdateSessionAsync(organization, s => s.Ip = Ip);

        var response = await driver.UserInfoAsync(organization, tokens.AccessToken, ip: "198.51.100.9", userAgent: "Other/2.0", deviceId: "other-device");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Userinfo_from_another_user_agent_with_CheckUserAgent_is_sessionInvalid()
    {
        var (organization, driver, tokens) = await SignedInAsync("checkua@example.com", o => o.Settings.CheckUserAgent = true);
        using var _ = driver;
        await UpdateSessionAsync(organization, s => s.UserAgent = UserAgent);

        var same = await driver.UserInfoAsync(organization, tokens.AccessToken, userAgent: UserAgent);
        var other = await driver.UserInfoAsync(organization, tokens.AccessToken, userAgent: "EvilBrowser/6.6");

        Assert.Equal(HttpStatusCode.OK, same.StatusCode);
        await other.AssertErrorAsync(HttpStatusCode.Unauthorized, "sessionInvalid");
    }

    [Fact]
    public async Task Userinfo_from_another_device_with_CheckDeviceId_is_sessionInvalid()
    {
        var (organization, driver, tokens) = await SignedInAsync("checkdevice@example.com", o => o.Settings.CheckDeviceId = true);
        using var _ = driver;
        await UpdateSessionAsync(organization, s => s.DeviceId = "device-1");

        var same = await driver.UserInfoAsync(organization, tokens.AccessToken, deviceId: "device-1");
        var other = await driver.UserInfoAsync(organization, tokens.AccessToken, deviceId: "device-2");
        var missing = await driver.UserInfoAsync(organization, tokens.AccessToken, deviceId: null);

        Assert.Equal(HttpStatusCode.OK, same.StatusCode);
        await other.AssertErrorAsync(HttpStatusCode.Unauthorized, "sessionInvalid");
        await missing.AssertErrorAsync(HttpStatusCode.Unauthorized, "sessionInvalid");
    }

    [Fact]
    public async Task Userinfo_counts_as_activity()
    {
        var (organization, driver, tokens) = await SignedInAsync("activity@example.com", o => o.Settings.MaxInactivityTime = 3600);
        using var _ = driver;
        var old = DateTimeOffset.UtcNow.AddMinutes(-50);
        await UpdateSessionAsync(organization, s => s.LastActivity = old);

        var response = await driver.UserInfoAsync(organization, tokens.AccessToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var session = await SessionAsync(organization);
        Assert.True(session.LastActivity > DateTimeOffset.UtcNow.AddMinutes(-1), $"LastActivity stayed at {session.LastActivity:O}");
    }

    [Fact]
    public async Task Userinfo_returns_the_user()
    {
        var (organization, driver, tokens) = await SignedInAsync("Grace@Example.com");
        using var _ = driver;

        var response = await driver.UserInfoAsync(organization, tokens.AccessToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var user = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Grace@Example.com", user.GetProperty("email").GetString());
        Assert.Equal(organization.ClientId, user.GetProperty("organizationId").GetString());
    }

    [Fact]
    public async Task Pending_secret_of_a_rotation_authenticates_the_app()
    {
        var secrets = fixture.Factory.Services.GetRequiredService<OrganizationSecrets>();
        var pending = OrganizationSecrets.Generate();
        Assert.Equal(32, pending.Length);
        var organization = await fixture.CreateOrganizationAsync(o =>
        {
            o.PendingProtectedSecret = secrets.Protect(pending);
            o.PendingSecretCreated = DateTimeOffset.UtcNow;
        });
        var rotated = organization with { Secret = pending };
        using var driver = fixture.Driver();
        var code = await ApiFlows.SignInForCodeAsync(driver, organization, "rotation@example.com");

        var verify = await driver.VerifyAsync(rotated, code);
        var tokens = await ApiFlows.AssertTokensAsync(verify);
        var withPending = await driver.UserInfoAsync(rotated, tokens.AccessToken);
        var withActive = await driver.UserInfoAsync(organization, tokens.AccessToken);
        var withNeither = await driver.UserInfoAsync(organization with { Secret = OrganizationSecrets.Generate() }, tokens.AccessToken);

        Assert.Equal(HttpStatusCode.OK, withPending.StatusCode);
        Assert.Equal(HttpStatusCode.OK, withActive.StatusCode);
        await withNeither.AssertErrorAsync(HttpStatusCode.Unauthorized, "clientCredentialsInvalid");
    }

    private async Task<(TestOrganization Organization, LoginDriver Driver, LoginDriver.Tokens Tokens)> SignedInAsync(string email, Action<Organization>? configure = null)
    {
        var organization = await fixture.CreateOrganizationAsync(configure);
        var driver = fixture.Driver();
        return (organization, driver, await ApiFlows.SignInAndVerifyAsync(driver, organization, email));
    }

    private Task<Session> SessionAsync(TestOrganization organization) =>
        fixture.Factory.WithDbAsync(db => db.Sessions.AsNoTracking().SingleAsync(s => s.OrganizationId == organization.Id));

    private Task<int> UpdateSessionAsync(TestOrganization organization, Action<Session> change) =>
        fixture.Factory.WithDbAsync(async db =>
        {
            var session = await db.Sessions.SingleAsync(s => s.OrganizationId == organization.Id);
            change(session);
            return await db.SaveChangesAsync();
        });
}
