using System.IdentityModel.Tokens.Jwt;
using System.Net;
using System.Text.Json;
using AuthServer.Features.Organizations;
using AuthServer.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static AuthServer.Tests.Passkeys.SoftwareAuthenticator;

namespace AuthServer.Tests.Passkeys;

/// <summary>Sign-in with a discoverable passkey, with a software authenticator: valid by default, one mutation each.</summary>
public sealed class PasskeySignInTests(LoginServerFixture fixture) : IClassFixture<LoginServerFixture>
{
    private PasskeyDriver Driver() => new(fixture.Driver(), fixture.Outbox);

    /// <summary>An organization with one user who registered the returned authenticator's passkey.</summary>
    private async Task<(TestOrganization Organization, SoftwareAuthenticator Authenticator, string Email)> RegisteredAsync(Action<AuthServer.Data.Entities.Organization>? configure = null)
    {
        var organization = await fixture.CreateOrganizationAsync(configure);
        var authenticator = new SoftwareAuthenticator();
        var email = $"pk-{Guid.NewGuid():N}@example.com";
        await Driver().RegisterAsync(organization, email, authenticator);
        return (organization, authenticator, email);
    }

    [Fact]
    public async Task Login_page_offers_the_passkey_first_when_the_organization_enables_it()
    {
        var enabled = await fixture.CreateOrganizationAsync();
        var disabled = await fixture.CreateOrganizationAsync(o => o.Connections.Passkey = false);
        var driver = Driver();

        var page = (await driver.OpenAsync(enabled)).Html;
        var without = (await driver.OpenAsync(disabled)).Html;
        var embedded = (await fixture.Driver().OpenAsync(LoginDriver.LoginUrl(enabled, extra: new Dictionary<string, string?> { ["embed"] = "1" }))).Html;

        Assert.True(page.IndexOf("id=\"passkey-signin\"", StringComparison.Ordinal) < page.IndexOf("id=\"email\"", StringComparison.Ordinal));
        Assert.Contains("Log in with a passkey", page);
        Assert.Contains("autocomplete=\"username webauthn\"", page);
        Assert.Contains("name=\"intent\" value=\"passkey\"", page);
        Assert.DoesNotContain("data-passkey", without);
        Assert.DoesNotContain("data-passkey", embedded);
    }

    [Fact]
    public async Task Signs_in_with_a_discoverable_passkey_and_the_code_verifies()
    {
        var (organization, authenticator, email) = await RegisteredAsync();
        using var _ = authenticator;
        var driver = Driver();

        var (page, challenge) = await driver.BeginSignInAsync(organization);
        Assert.Equal("localhost", challenge.Options.GetProperty("rpId").GetString());
        Assert.Equal("required", challenge.Options.GetProperty("userVerification").GetString());
        Assert.Empty(challenge.Options.GetProperty("allowCredentials").EnumerateArray());
        var redirect = await PasskeyDriver.RedirectAsync(await driver.VerifyAsync(page, challenge.Ceremony, authenticator.Assert(challenge.Options)));

        Assert.StartsWith(LoginServerFixture.Callback + "?", redirect);
        var verify = await fixture.Driver().VerifyAsync(organization, PasskeyDriver.CodeOf(redirect));
        var tokens = JsonDocument.Parse(await verify.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.OK, verify.StatusCode);
        var userInfo = await fixture.Driver().UserInfoAsync(organization, tokens.GetProperty("access_token").GetString()!);
        Assert.Equal(email, JsonDocument.Parse(await userInfo.Content.ReadAsStringAsync()).RootElement.GetProperty("email").GetString());
        var credential = await fixture.Factory.WithDbAsync(db => db.PasskeyCredentials.SingleAsync(p => p.CredentialId == authenticator.CredentialId));
        Assert.Equal(1, credential.SignCount);
        Assert.NotNull(credential.LastUsed);
        var methods = await fixture.Factory.WithDbAsync(db => db.Sessions.Where(s => s.OrganizationId == organization.Id).Select(s => s.Method).ToListAsync());
        Assert.Equal(["hwk", "hwk"], methods);
    }

    [Fact]
    public async Task Signs_in_on_the_OpenID_Connect_face_with_amr_hwk()
    {
        var (organization, authenticator, email) = await RegisteredAsync(o => o.RedirectUris = [LoginServerFixture.Callback]);
        using var _ = authenticator;
        var login = fixture.Driver();
        var oidc = new OidcDriver(login, fixture.Outbox);
        var driver = new PasskeyDriver(login, fixture.Outbox);

        var toPage = await login.Client.GetAsync(OidcDriver.AuthorizeUrl(organization));
        Assert.StartsWith("/login/resume?request=", toPage.Headers.Location!.ToString());
        var redirect = await driver.SignInAsync(organization, authenticator, toPage.Headers.Location.ToString());
        var callback = await oidc.FollowAsync(redirect);

        var code = QueryHelpers.ParseQuery(callback.Headers.Location!.Query)["code"].ToString();
        var response = await oidc.RedeemAsync(organization, code);
        var tokens = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var id = new JwtSecurityTokenHandler().ReadJwtToken(tokens.GetProperty("id_token").GetString());
        Assert.Equal("hwk", id.Claims.Single(c => c.Type == "amr").Value);
        Assert.Equal(email, id.Claims.Single(c => c.Type == "email").Value);
    }

    public static TheoryData<string> Mutations => ["challenge", "origin", "rpId", "signature", "userPresence", "userVerification"];

    [Theory]
    [MemberData(nameof(Mutations))]
    public async Task Assertion_failing_a_check_is_passkeyDataInvalid(string mutation)
    {
        var (organization, authenticator, _) = await RegisteredAsync();
        using var __ = authenticator;
        var driver = Driver();
        var (page, challenge) = await driver.BeginSignInAsync(organization);
        var tweaks = mutation switch
        {
            "challenge" => new Tweaks { Challenge = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" },
            "origin" => new Tweaks { Origin = "https://evil.example" },
            "rpId" => new Tweaks { RpId = "evil.example" },
            "signature" => new Tweaks { CorruptSignature = true },
            "userPresence" => new Tweaks { Flags = UserVerified },
            "userVerification" => new Tweaks { Flags = UserPresent },
            _ => throw new ArgumentOutOfRangeException(nameof(mutation)),
        };

        var response = await driver.VerifyAsync(page, challenge.Ceremony, authenticator.Assert(challenge.Options, tweaks));

        await response.AssertErrorAsync(HttpStatusCode.BadRequest, "passkeyDataInvalid");
        Assert.Equal(1, await SessionCountAsync(organization));
    }

    [Fact]
    public async Task Replayed_assertion_is_passkeyDataInvalid_on_its_own_ceremony_and_on_a_new_one()
    {
        var (organization, authenticator, _) = await RegisteredAsync();
        using var __ = authenticator;
        var driver = Driver();
        var (page, challenge) = await driver.BeginSignInAsync(organization);
        var assertion = authenticator.Assert(challenge.Options);
        await PasskeyDriver.RedirectAsync(await driver.VerifyAsync(page, challenge.Ceremony, assertion));

        var sameCeremony = await driver.VerifyAsync(page, challenge.Ceremony, assertion);
        var (otherPage, other) = await driver.BeginSignInAsync(organization);
        var newCeremony = await driver.VerifyAsync(otherPage, other.Ceremony, assertion);

        await sameCeremony.AssertErrorAsync(HttpStatusCode.BadRequest, "passkeyDataInvalid");
        await newCeremony.AssertErrorAsync(HttpStatusCode.BadRequest, "passkeyDataInvalid");
        Assert.Equal(2, await SessionCountAsync(organization));
    }

    [Fact]
    public async Task Sign_count_going_backwards_is_passkeyDataInvalid()
    {
        var (organization, authenticator, _) = await RegisteredAsync();
        using var __ = authenticator;
        var driver = Driver();
        authenticator.SignCount = 5;
        await driver.SignInAsync(organization, authenticator);
        var (page, challenge) = await driver.BeginSignInAsync(organization);

        var response = await driver.VerifyAsync(page, challenge.Ceremony, authenticator.Assert(challenge.Options, new Tweaks { SignCount = 3 }));

        await response.AssertErrorAsync(HttpStatusCode.BadRequest, "passkeyDataInvalid");
    }

    [Fact]
    public async Task Unknown_ceremony_is_passkeyDataMissing()
    {
        var (organization, authenticator, _) = await RegisteredAsync();
        using var __ = authenticator;
        var driver = Driver();
        var (page, challenge) = await driver.BeginSignInAsync(organization);

        var response = await driver.VerifyAsync(page, Guid.NewGuid(), authenticator.Assert(challenge.Options));

        await response.AssertErrorAsync(HttpStatusCode.NotFound, "passkeyDataMissing");
    }

    [Fact]
    public async Task Expired_ceremony_is_passkeyDataExpired()
    {
        var (organization, authenticator, _) = await RegisteredAsync();
        using var __ = authenticator;
        var driver = Driver();
        var (page, challenge) = await driver.BeginSignInAsync(organization);
        await fixture.Factory.WithDbAsync(db => db.PasskeyCeremonies.Where(c => c.Id == challenge.Ceremony)
            .ExecuteUpdateAsync(u => u.SetProperty(c => c.ExpiresAt, DateTimeOffset.UtcNow.AddSeconds(-1))));

        var response = await driver.VerifyAsync(page, challenge.Ceremony, authenticator.Assert(challenge.Options));

        await response.AssertErrorAsync(HttpStatusCode.BadRequest, "passkeyDataExpired");
    }

    [Fact]
    public async Task Passkey_of_another_organization_is_passkeyWrongOrganization()
    {
        var (organization, authenticator, _) = await RegisteredAsync();
        using var __ = authenticator;
        var other = await fixture.CreateOrganizationAsync();
        var driver = Driver();
        var (page, challenge) = await driver.BeginSignInAsync(other);

        var response = await driver.VerifyAsync(page, challenge.Ceremony, authenticator.Assert(challenge.Options));

        await response.AssertErrorAsync(HttpStatusCode.BadRequest, "passkeyWrongOrganization");
        Assert.Equal(0, await SessionCountAsync(other));
    }

    [Fact]
    public async Task Disabled_passkey_connection_is_connectionMissing_for_new_and_pending_ceremonies()
    {
        var (organization, authenticator, _) = await RegisteredAsync();
        using var __ = authenticator;
        var driver = Driver();
        var (page, pending) = await driver.BeginSignInAsync(organization);
        await fixture.Factory.WithDbAsync(db => db.Organizations.Where(o => o.Id == organization.Id)
            .ExecuteUpdateAsync(u => u.SetProperty(o => o.Connections.Passkey, false)));
        fixture.Factory.Services.GetRequiredService<OrganizationCache>().Invalidate(organization.Id);

        var options = await driver.SignInOptionsAsync(page);
        var verify = await driver.VerifyAsync(page, pending.Ceremony, authenticator.Assert(pending.Options));

        await options.AssertErrorAsync(HttpStatusCode.BadRequest, "connectionMissing");
        await verify.AssertErrorAsync(HttpStatusCode.BadRequest, "connectionMissing");
    }

    [Fact]
    public async Task Blocked_user_is_refused()
    {
        var (organization, authenticator, email) = await RegisteredAsync();
        using var __ = authenticator;
        await fixture.Factory.WithDbAsync(db => db.Users.Where(u => u.OrganizationId == organization.Id && u.Email == email)
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.Blocked, true)));
        var driver = Driver();
        var (page, challenge) = await driver.BeginSignInAsync(organization);

        var response = await driver.VerifyAsync(page, challenge.Ceremony, authenticator.Assert(challenge.Options));

        await response.AssertErrorAsync(HttpStatusCode.Forbidden, "noPermission");
        Assert.Equal(1, await SessionCountAsync(organization));
    }

    [Fact]
    public async Task Sign_ins_and_refusals_are_audited()
    {
        var (organization, authenticator, _) = await RegisteredAsync();
        using var __ = authenticator;
        var driver = Driver();
        var (page, challenge) = await driver.BeginSignInAsync(organization);
        await (await driver.VerifyAsync(page, challenge.Ceremony, authenticator.Assert(challenge.Options, new Tweaks { CorruptSignature = true })))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "passkeyDataInvalid");

        await driver.SignInAsync(organization, authenticator);

        var entries = await fixture.Factory.WithDbAsync(db => db.AuditLog.Where(e => e.OrganizationId == organization.Id && e.Action == "signin.passkey")
            .OrderBy(e => e.Id).Select(e => new { e.Status, e.TargetType, e.TargetId }).ToListAsync());
        Assert.Equal(["success", "passkeyDataInvalid", "success"], entries.Select(e => e.Status));
        Assert.Equal(["session", "passkeyCeremony", "session"], entries.Select(e => e.TargetType));
        Assert.Equal(challenge.Ceremony.ToString(), entries[1].TargetId);
    }

    [Fact]
    public async Task Missing_fields_are_missingFields()
    {
        var organization = await fixture.CreateOrganizationAsync();
        var driver = Driver();
        var page = await driver.OpenAsync(organization);

        var options = await driver.PostAsync(page, "/login/passkey/options", []);
        var verify = await driver.PostAsync(page, "/login/passkey/verify", new() { ["ceremony"] = Guid.NewGuid() });

        (await options.AssertErrorAsync(HttpStatusCode.BadRequest, "missingFields")).GetProperty("details");
        await verify.AssertErrorAsync(HttpStatusCode.BadRequest, "missingFields");
    }

    private Task<int> SessionCountAsync(TestOrganization organization) =>
        fixture.Factory.WithDbAsync(db => db.Sessions.CountAsync(s => s.OrganizationId == organization.Id));
}
