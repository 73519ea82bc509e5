using AuthServer.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace AuthServer.Tests.Console;

/// <summary>
/// The admin console end to end: real PostgreSQL, real SMTP (maildev), real Chromium. Every action is checked
/// in the database and in the audit log, where the administrator is the actor.
/// </summary>
public sealed class ConsoleBrowserTests(KestrelServerFixture fixture) : IClassFixture<KestrelServerFixture>
{
    [Fact]
    public async Task Administrator_manages_an_organization_and_a_user_and_reads_each_audit_entry()
    {
        await using var driver = new ConsoleDriver(fixture);
        var email = await driver.AddAdministratorAsync("ada");
        var adminId = await fixture.Factory.WithDbAsync(db => db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync());
        var target = await fixture.CreateOrganizationAsync("Initech");
        var (userId, sessionId, userEmail) = await driver.CreateUserWithSessionAndPasskeyAsync(target.Id);
        var page = await driver.NewPageAsync();

        await driver.SignInAsAdministratorAsync(page, email);

        // Create an organization: its secret is shown once, with a copy button.
        await page.GetByRole(AriaRole.Link, new() { Name = "Organizations" }).ClickAsync();
        await page.GetByLabel("Name", new() { Exact = true }).Last.FillAsync("Globex");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create organization" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Globex created" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#new-secret")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(".{20,}"));
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Copy" })).ToBeVisibleAsync();
        var globex = await fixture.Factory.WithDbAsync(db => db.Organizations.Where(o => o.Name == "Globex").Select(o => o.Id).SingleAsync());
        await page.GetByRole(AriaRole.Link, new() { Name = "Open Globex" }).ClickAsync();

        // A whitelisted origin.
        await page.GetByLabel("Origin", new() { Exact = true }).FillAsync("https://shop.globex.example");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add origin" }).ClickAsync();
        await Assertions.Expect(page.Locator("p.notice")).ToContainTextAsync("Origin https://shop.globex.example added.");
        Assert.Contains("https://shop.globex.example", await fixture.Factory.WithDbAsync(db => db.Organizations.Where(o => o.Id == globex).Select(o => o.WhitelistedOrigins).SingleAsync()));

        // Rotate, then activate (after confirming) the secret.
        await page.GetByRole(AriaRole.Button, new() { Name = "Rotate the secret" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "New client secret" })).ToBeVisibleAsync();
        var rotated = (await page.Locator("#new-secret").TextContentAsync())!.Trim();
        await page.GetByText("Activate the new secret…").ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, activate the new secret" }).ClickAsync();
        await Assertions.Expect(page.Locator("p.notice")).ToContainTextAsync("The new secret is active");
        await Assertions.Expect(page.Locator("#new-secret")).ToHaveCountAsync(0);
        var activeSecret = await fixture.Factory.WithDbAsync(async db =>
        {
            var stored = await db.Organizations.SingleAsync(o => o.Id == globex);
            return (stored.PendingProtectedSecret, Secret: fixture.Factory.Services.GetRequiredService<AuthServer.Features.Organizations.OrganizationSecrets>().Unprotect(stored.ProtectedSecret));
        });
        Assert.Null(activeSecret.PendingProtectedSecret);
        Assert.Equal(rotated, activeSecret.Secret);

        // Find the user, revoke their session, delete their passkey.
        await page.GetByRole(AriaRole.Link, new() { Name = "Users", Exact = true }).ClickAsync();
        await page.GetByLabel("Organization").SelectOptionAsync(new SelectOptionValue { Label = "Initech" });
        await page.GetByLabel("Email").FillAsync(userEmail[..12]);
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = userEmail }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = userEmail })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Revoke the session" }).ClickAsync();
        await Assertions.Expect(page.Locator("p.notice")).ToContainTextAsync("Session revoked.");
        await page.GetByText("Delete…").ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, delete this passkey" }).ClickAsync();
        await Assertions.Expect(page.Locator("p.notice")).ToContainTextAsync("Passkey deleted.");
        Assert.NotNull(await fixture.Factory.WithDbAsync(db => db.Sessions.Where(s => s.Id == sessionId).Select(s => s.EndedAt).SingleAsync()));
        Assert.False(await fixture.Factory.WithDbAsync(db => db.PasskeyCredentials.AnyAsync(p => p.UserId == userId)));

        // Each action is in the audit log, with the administrator as actor, on the audit page.
        await page.GotoAsync($"{fixture.BaseUrl}/admin/audit?actor={adminId}");
        foreach (var action in new[] { "organization.create", "organization.update", "organization.rotateSecret", "organization.activateSecret", "session.revoke", "passkey.delete" })
        {
            await Assertions.Expect(page.GetByRole(AriaRole.Cell, new() { Name = action, Exact = true })).ToHaveCountAsync(1);
        }

        var entries = await fixture.Factory.WithDbAsync(db => db.AuditLog.Where(e => e.ActorId == adminId.ToString() && e.ActorType == "administrator").ToListAsync());
        Assert.Equal(
            ["organization.activateSecret", "organization.create", "organization.rotateSecret", "organization.update", "passkey.delete", "session.revoke"],
            entries.Select(e => e.Action).Order(StringComparer.Ordinal));
        Assert.Contains(entries, e => e.Action == "session.revoke" && e.TargetId == sessionId.ToString() && e.OrganizationId == target.Id);
        Assert.Contains(entries, e => e.Action == "organization.activateSecret" && e.OrganizationId == globex);

        // An organization that does not exist: 404.
        Assert.Equal(404, (await page.GotoAsync($"{fixture.BaseUrl}/admin/organizations/{Guid.NewGuid()}"))!.Status);
        Assert.Empty(driver.ConsoleErrors);
    }

    [Fact]
    public async Task Organization_scoped_administrator_sees_and_changes_only_their_organizations()
    {
        await using var driver = new ConsoleDriver(fixture);
        var mine = await fixture.CreateOrganizationAsync("Mine Ltd");
        var other = await fixture.CreateOrganizationAsync("Other Ltd");
        var (otherUser, otherSession, _) = await driver.CreateUserWithSessionAndPasskeyAsync(other.Id);
        var email = await driver.AddAdministratorAsync("scoped", mine.Id);
        var page = await driver.NewPageAsync();
        await driver.SignInAsAdministratorAsync(page, email);

        await page.GetByRole(AriaRole.Link, new() { Name = "Organizations" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Mine Ltd" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Other Ltd" })).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "API keys" })).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Create organization" })).ToHaveCountAsync(0);

        // Their own organization: changed.
        await page.GetByRole(AriaRole.Link, new() { Name = "Mine Ltd" }).ClickAsync();
        await page.GetByLabel("Origin", new() { Exact = true }).FillAsync("https://mine.example");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add origin" }).ClickAsync();
        await Assertions.Expect(page.Locator("p.notice")).ToContainTextAsync("added");

        // Direct URLs to anything of another organization: 403, an unknown id 404.
        foreach (var path in new[] { $"/admin/organizations/{other.Id}", $"/admin/users/{otherUser}", $"/admin/users?organization={other.Id}", $"/admin/audit?organization={other.Id}", "/admin/api-keys" })
        {
            var response = await page.GotoAsync(fixture.BaseUrl + path);
            Assert.True(response!.Status == 403, $"{path} answered {response.Status}");
            await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("noPermission");
        }

        // An unknown id is outside their organizations too: 403, as for an API key scoped to an organization.
        Assert.Equal(403, (await page.GotoAsync($"{fixture.BaseUrl}/admin/organizations/{Guid.NewGuid()}"))!.Status);

        // A form posted for another organization (with a valid token, from a page of their own) changes nothing.
        await page.GotoAsync($"{fixture.BaseUrl}/admin/organizations/{mine.Id}");
        var token = await page.Locator("form[action] input[name=__RequestVerificationToken]").First.GetAttributeAsync("value")
            ?? await page.Locator("input[name=__RequestVerificationToken]").First.GetAttributeAsync("value");
        var post = await page.Context.APIRequest.PostAsync($"{fixture.BaseUrl}/admin/organizations/{other.Id}", new()
        {
            Form = MakeForm(page, ("_handler", "add-origin"), ("__RequestVerificationToken", token!), ("Origin", "https://evil.example")),
            MaxRedirects = 0,
        });
        // Refused either way: the page of another organization renders no form to post to (400), or its service says noPermission (403).
        Assert.True(post.Status is 400 or 403, $"answered {post.Status}");
        Assert.DoesNotContain("https://evil.example", await fixture.Factory.WithDbAsync(db => db.Organizations.Where(o => o.Id == other.Id).Select(o => o.WhitelistedOrigins).SingleAsync()));
        Assert.Null(await fixture.Factory.WithDbAsync(db => db.Sessions.Where(s => s.Id == otherSession).Select(s => s.EndedAt).SingleAsync()));
    }

    [Fact]
    public async Task Person_of_another_organization_cannot_reach_the_console()
    {
        await using var driver = new ConsoleDriver(fixture);
        var organization = await fixture.CreateOrganizationAsync("Umbrella");
        var (_, _, outsider) = await driver.CreateUserWithSessionAndPasskeyAsync(organization.Id);
        var page = await driver.NewPageAsync();

        await page.GotoAsync(fixture.BaseUrl + "/admin");
        await page.GetByLabel("Email address").FillAsync(outsider);
        await page.Keyboard.PressAsync("Enter");

        // The system organization lets nobody sign up: the login page sends the refusal back to the console, which
        // shows it; /admin keeps sending them to the login page.
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign-in failed" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("code")).ToHaveTextAsync("entityMissing");
        await ConsoleDriver.ShotAsync(page, "desktop", "sign-in-failed");
        await page.GotoAsync(fixture.BaseUrl + "/admin");
        await page.WaitForAddressAsync("**/login?**");
        Assert.False(await fixture.Factory.WithDbAsync(db => db.Users.AnyAsync(u => u.OrganizationId == AuthServer.Features.AdminConsole.SystemOrganization.Id && u.Email == outsider)));
    }

    [Fact]
    public async Task Signed_in_user_without_an_administrator_role_gets_403()
    {
        await using var driver = new ConsoleDriver(fixture);
        var email = await driver.AddAdministratorAsync("former");
        await fixture.Factory.WithDbAsync(db => db.Administrators.Where(a => db.Users.Any(u => u.Id == a.UserId && u.Email == email)).ExecuteDeleteAsync());
        var page = await driver.NewPageAsync();

        await driver.SignInAsync(page, email);

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "No access" })).ToBeVisibleAsync();
        var response = await page.GotoAsync(fixture.BaseUrl + "/admin/organizations");
        Assert.Equal(403, response!.Status);
        await ConsoleDriver.ShotAsync(page, "desktop", "no-access");
    }

    [Fact]
    public async Task Form_posted_without_the_anti_forgery_token_is_refused()
    {
        await using var driver = new ConsoleDriver(fixture);
        var email = await driver.AddAdministratorAsync("careful");
        var organization = await fixture.CreateOrganizationAsync("Hooli");
        var page = await driver.NewPageAsync();
        await driver.SignInAsAdministratorAsync(page, email);

        // The administrator's own cookies go along (as with a cross-site form), but no token.
        var post = await page.Context.APIRequest.PostAsync($"{fixture.BaseUrl}/admin/organizations/{organization.Id}", new()
        {
            Form = MakeForm(page, ("_handler", "add-origin"), ("Origin", "https://forged.example")),
            MaxRedirects = 0,
        });
        Assert.Equal(400, post.Status);
        Assert.DoesNotContain("https://forged.example", await fixture.Factory.WithDbAsync(db => db.Organizations.Where(o => o.Id == organization.Id).Select(o => o.WhitelistedOrigins).SingleAsync()));

        var signOut = await page.Context.APIRequest.PostAsync($"{fixture.BaseUrl}/admin/signout", new() { Form = MakeForm(page), MaxRedirects = 0 });
        Assert.Equal(400, signOut.Status);
        await page.GotoAsync(fixture.BaseUrl + "/admin");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Dashboard", Level = 1 })).ToBeVisibleAsync();

        // Headers of every console page.
        var response = await page.GotoAsync(fixture.BaseUrl + "/admin/organizations");
        var headers = await response!.AllHeadersAsync();
        Assert.Equal("no-store", headers["cache-control"]);
        Assert.Contains("frame-ancestors 'none'", headers["content-security-policy"]);
        Assert.Contains("script-src 'self'", headers["content-security-policy"]);
        Assert.DoesNotContain("unsafe-inline", headers["content-security-policy"]);
    }

    private static IFormData MakeForm(IPage page, params (string Name, string Value)[] fields)
    {
        var form = page.Context.APIRequest.CreateFormData();
        foreach (var (name, value) in fields)
        {
            form.Set(name, value);
        }

        return form;
    }
}
