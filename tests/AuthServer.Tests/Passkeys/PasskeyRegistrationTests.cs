using System.Net;
using System.Text.Json.Nodes;
using AuthServer.Data.Entities;
using AuthServer.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static AuthServer.Tests.Passkeys.SoftwareAuthenticator;

namespace AuthServer.Tests.Passkeys;

/// <summary>Registration after the emailed code, with a software authenticator: valid by default, one mutation each.</summary>
public sealed class PasskeyRegistrationTests(LoginServerFixture fixture) : IClassFixture<LoginServerFixture>
{
    private PasskeyDriver Driver() => new(fixture.Driver(), fixture.Outbox);

    private static string NewEmail() => $"pk-{Guid.NewGuid():N}@example.com";

    [Fact]
    public async Task Registers_after_the_emailed_code_and_signs_in_with_the_passkey()
    {
        var organization = await fixture.CreateOrganizationAsync();
        var driver = Driver();
        using var authenticator = new SoftwareAuthenticator();
        var email = NewEmail();

        var (page, challenge) = await driver.BeginRegistrationAsync(organization, email);
        var options = challenge.Options;
        Assert.Equal("localhost", options.GetProperty("rp").GetProperty("id").GetString());
        Assert.Equal(email, options.GetProperty("user").GetProperty("name").GetString());
        Assert.Equal("required", options.GetProperty("authenticatorSelection").GetProperty("residentKey").GetString());
        Assert.Equal("required", options.GetProperty("authenticatorSelection").GetProperty("userVerification").GetString());
        Assert.Equal("none", options.GetProperty("attestation").GetString());

        var redirect = await PasskeyDriver.RedirectAsync(await driver.RegisterAsync(page, challenge.Ceremony, authenticator.Register(options)));

        Assert.StartsWith(LoginServerFixture.Callback + "?", redirect);
        Assert.Contains("state=st-123", redirect);
        var verify = await fixture.Driver().VerifyAsync(organization, PasskeyDriver.CodeOf(redirect));
        Assert.Equal(HttpStatusCode.OK, verify.StatusCode);
        var (credential, user, session) = await fixture.Factory.WithDbAsync(async db =>
        {
            var c = await db.PasskeyCredentials.SingleAsync(p => p.CredentialId == authenticator.CredentialId);
            var u = await db.Users.SingleAsync(x => x.Id == c.UserId);
            var s = await db.Sessions.SingleAsync(x => x.UserId == u.Id);
            return (c, u, s);
        });
        Assert.Equal(organization.Id, credential.OrganizationId);
        Assert.NotEmpty(credential.PublicKey);
        Assert.Equal(0, credential.SignCount);
        Assert.Equal(["internal"], credential.Transports);
        Assert.True(credential.IsUserVerified);
        Assert.False(credential.IsBackupEligible);
        Assert.False(credential.IsBackedUp);
        Assert.StartsWith("Passkey added ", credential.Name);
        Assert.NotEqual(default, credential.Created);
        Assert.Equal(email, user.Email);
        Assert.True(user.Verified);
        Assert.Equal(user.Id.ToString(), System.Text.Encoding.UTF8.GetString(authenticator.UserHandle!));
        Assert.Equal("hwk", session.Method);
    }

    [Fact]
    public async Task A_passkey_registered_without_a_name_is_named_in_the_language_of_its_page()
    {
        var organization = await fixture.CreateOrganizationAsync();
        var driver = Driver();
        using var authenticator = new SoftwareAuthenticator();
        var (page, challenge) = await driver.BeginRegistrationAsync(organization, NewEmail());

        // The browser that finishes the ceremony reads German.
        driver.Client.DefaultRequestHeaders.AcceptLanguage.ParseAdd("de-DE,de;q=0.9");
        await PasskeyDriver.RedirectAsync(await driver.RegisterAsync(page, challenge.Ceremony, authenticator.Register(challenge.Options)));

        var name = await fixture.Factory.WithDbAsync(db => db.PasskeyCredentials.Where(p => p.CredentialId == authenticator.CredentialId).Select(p => p.Name).SingleAsync());
        Assert.Matches(@"^Passkey hinzugefügt am \d{4}-\d{2}-\d{2}$", name);
    }

    [Fact]
    public async Task The_apps_translations_do_not_name_a_passkey()
    {
        // Anyone can write a login link with translations; the name lands in the person's passkey list.
        var organization = await fixture.CreateOrganizationAsync();
        var translations = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("""{"passkeyDefaultName":"Attacker's key {date}"}"""));
        var url = LoginDriver.LoginUrl(organization, extra: new Dictionary<string, string?> { ["translations"] = translations });
        var driver = Driver();
        using var authenticator = new SoftwareAuthenticator();
        var (page, challenge) = await driver.BeginRegistrationAsync(organization, NewEmail(), url);

        await PasskeyDriver.RedirectAsync(await driver.RegisterAsync(page, challenge.Ceremony, authenticator.Register(challenge.Options)));

        var name = await fixture.Factory.WithDbAsync(db => db.PasskeyCredentials.Where(p => p.CredentialId == authenticator.CredentialId).Select(p => p.Name).SingleAsync());
        Assert.Matches(@"^Passkey added \d{4}-\d{2}-\d{2}$", name);
    }

    [Fact]
    public async Task Existing_user_adds_another_passkey_and_the_first_one_is_excluded()
    {
        var organization = await fixture.CreateOrganizationAsync();
        var driver = Driver();
        using var first = new SoftwareAuthenticator();
        using var second = new SoftwareAuthenticator();
        var email = NewEmail();
        await driver.RegisterAsync(organization, email, first);

        var (page, challenge) = await driver.BeginRegistrationAsync(organization, email);
        var excluded = challenge.Options.GetProperty("excludeCredentials").EnumerateArray().Select(c => c.GetProperty("id").GetString()).ToList();
        Assert.Equal([Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlEncode(first.CredentialId)], excluded);
        await PasskeyDriver.RedirectAsync(await driver.RegisterAsync(page, challenge.Ceremony, second.Register(challenge.Options)));

        var owners = await fixture.Factory.WithDbAsync(db => db.PasskeyCredentials.Where(p => p.OrganizationId == organization.Id).Select(p => p.UserId).ToListAsync());
        Assert.Equal(2, owners.Count);
        Assert.Single(owners.Distinct());
    }

    [Fact]
    public async Task Organization_sending_links_still_sends_a_code_for_a_registration()
    {
        var organization = await fixture.CreateOrganizationAsync(o => o.Settings.DefaultEmailLoginType = EmailLoginType.Link);
        var driver = Driver();
        using var authenticator = new SoftwareAuthenticator();

        var redirect = await driver.RegisterAsync(organization, NewEmail(), authenticator);

        Assert.StartsWith(LoginServerFixture.Callback + "?", redirect);
    }

    [Fact]
    public async Task Wrong_code_opens_no_ceremony()
    {
        var organization = await fixture.CreateOrganizationAsync();
        var driver = Driver();
        var email = NewEmail();
        var page = await driver.OpenAsync(organization);
        var codePage = await driver.SubmitEmailForPasskeyAsync(page, email);
        var wrong = fixture.Outbox.LatestCodeFor(email) == "00000" ? "11111" : "00000";

        await (await driver.RegisterOptionsAsync(codePage, wrong)).AssertErrorAsync(HttpStatusCode.BadRequest, "loginAttemptInvalid");

        Assert.False(await fixture.Factory.WithDbAsync(db => db.PasskeyCeremonies.AnyAsync(c => c.OrganizationId == organization.Id)));
    }

    public static TheoryData<string> Mutations => ["challenge", "origin", "rpId", "userPresence", "userVerification"];

    [Theory]
    [MemberData(nameof(Mutations))]
    public async Task Attestation_failing_a_check_is_passkeyDataInvalid(string mutation)
    {
        var organization = await fixture.CreateOrganizationAsync();
        var driver = Driver();
        using var authenticator = new SoftwareAuthenticator();
        var (page, challenge) = await driver.BeginRegistrationAsync(organization, NewEmail());
        var tweaks = mutation switch
        {
            "challenge" => new Tweaks { Challenge = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" },
            "origin" => new Tweaks { Origin = "https://evil.example" },
            "rpId" => new Tweaks { RpId = "evil.example" },
            "userPresence" => new Tweaks { Flags = UserVerified | AttestedCredentialData },
            "userVerification" => new Tweaks { Flags = UserPresent | AttestedCredentialData },
            _ => throw new ArgumentOutOfRangeException(nameof(mutation)),
        };

        var response = await driver.RegisterAsync(page, challenge.Ceremony, authenticator.Register(challenge.Options, tweaks));

        await response.AssertErrorAsync(HttpStatusCode.BadRequest, "passkeyDataInvalid");
        Assert.False(await fixture.Factory.WithDbAsync(db => db.PasskeyCredentials.AnyAsync(p => p.OrganizationId == organization.Id)));
        Assert.False(await fixture.Factory.WithDbAsync(db => db.Sessions.AnyAsync(s => s.OrganizationId == organization.Id)));
    }

    [Fact]
    public async Task Ceremony_is_used_once_even_when_its_first_answer_failed()
    {
        var organization = await fixture.CreateOrganizationAsync();
        var driver = Driver();
        using var authenticator = new SoftwareAuthenticator();
        var (page, challenge) = await driver.BeginRegistrationAsync(organization, NewEmail());
        await (await driver.RegisterAsync(page, challenge.Ceremony, authenticator.Register(challenge.Options, new Tweaks { Origin = "https://evil.example" })))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "passkeyDataInvalid");

        var again = await driver.RegisterAsync(page, challenge.Ceremony, authenticator.Register(challenge.Options));

        await again.AssertErrorAsync(HttpStatusCode.BadRequest, "passkeyDataInvalid");
    }

    [Fact]
    public async Task Unknown_ceremony_is_passkeyDataMissing()
    {
        var organization = await fixture.CreateOrganizationAsync();
        var driver = Driver();
        using var authenticator = new SoftwareAuthenticator();
        var (page, challenge) = await driver.BeginRegistrationAsync(organization, NewEmail());

        var response = await driver.RegisterAsync(page, Guid.NewGuid(), authenticator.Register(challenge.Options));

        await response.AssertErrorAsync(HttpStatusCode.NotFound, "passkeyDataMissing");
    }

    [Fact]
    public async Task Expired_ceremony_is_passkeyDataExpired()
    {
        var organization = await fixture.CreateOrganizationAsync();
        var driver = Driver();
        using var authenticator = new SoftwareAuthenticator();
        var (page, challenge) = await driver.BeginRegistrationAsync(organization, NewEmail());
        await fixture.Factory.WithDbAsync(db => db.PasskeyCeremonies.Where(c => c.Id == challenge.Ceremony)
            .ExecuteUpdateAsync(u => u.SetProperty(c => c.ExpiresAt, DateTimeOffset.UtcNow.AddSeconds(-1))));

        var response = await driver.RegisterAsync(page, challenge.Ceremony, authenticator.Register(challenge.Options));

        await response.AssertErrorAsync(HttpStatusCode.BadRequest, "passkeyDataExpired");
    }

    [Fact]
    public async Task Disabled_passkey_connection_is_connectionMissing()
    {
        var organization = await fixture.CreateOrganizationAsync(o => o.Connections.Passkey = false);
        var driver = Driver();
        var email = NewEmail();
        var page = await driver.OpenAsync(organization);
        Assert.DoesNotContain("data-passkey", page.Html);
        var codePage = await driver.SubmitEmailForPasskeyAsync(page, email);

        var response = await driver.RegisterOptionsAsync(codePage, fixture.Outbox.LatestCodeFor(email));

        await response.AssertErrorAsync(HttpStatusCode.BadRequest, "connectionMissing");
    }

    [Fact]
    public async Task User_blocked_before_the_passkey_is_made_is_refused()
    {
        var organization = await fixture.CreateOrganizationAsync();
        var driver = Driver();
        using var authenticator = new SoftwareAuthenticator();
        var email = NewEmail();
        var (page, challenge) = await driver.BeginRegistrationAsync(organization, email);
        await fixture.Factory.WithDbAsync(db => db.Users.Where(u => u.OrganizationId == organization.Id && u.Email == email)
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.Blocked, true)));

        var response = await driver.RegisterAsync(page, challenge.Ceremony, authenticator.Register(challenge.Options));

        await response.AssertErrorAsync(HttpStatusCode.Forbidden, "noPermission");
    }

    [Fact]
    public async Task Posts_without_the_pages_antiforgery_token_are_refused()
    {
        var organization = await fixture.CreateOrganizationAsync();
        var driver = Driver();
        var page = await driver.OpenAsync(organization);

        var response = await driver.PostAsync(page, "/login/passkey/options", new JsonObject { ["request"] = page.RequestId }, antiforgery: false);

        await response.AssertErrorAsync(HttpStatusCode.BadRequest, "entityInvalid");
    }
}
