using AuthServer.Errors;
using AuthServer.Features.Admin;
using AuthServer.Features.AdminConsole;
using AuthServer.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace AuthServer.Tests.Console;

/// <summary>
/// The console's Administrators page (global administrators only) and its 404 page, in Chromium against the
/// real server: adding a scoped administrator who then signs in, removing them (effective at their next click),
/// and the roles nobody may take away: one's own, and the last global one, even when two administrators
/// remove each other at the same moment.
/// </summary>
public sealed class AdministratorsPageTests(KestrelServerFixture fixture) : IClassFixture<KestrelServerFixture>
{
    [Fact]
    public async Task Global_administrator_adds_a_scoped_administrator_who_signs_in_and_then_removes_them()
    {
        await using var driver = new ConsoleDriver(fixture);
        var rootEmail = await driver.AddAdministratorAsync("root");
        await fixture.CreateOrganizationAsync("Initech");
        var page = await driver.NewPageAsync();
        await driver.SignInAsAdministratorAsync(page, rootEmail);

        await page.GetByRole(AriaRole.Link, new() { Name = "Administrators" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Administrators", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = rootEmail })).ToContainTextAsync("You");

        var scopedEmail = $"scoped-{Guid.NewGuid():N}@example.com";
        await page.GetByLabel("Email address").FillAsync(scopedEmail);
        await page.GetByLabel("Initech").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save administrator" }).ClickAsync();
        await Assertions.Expect(page.Locator("p.notice")).ToContainTextAsync($"{scopedEmail} is now an administrator of Initech.");
        await Assertions.Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = scopedEmail })).ToContainTextAsync("Initech");
        await ConsoleDriver.ShotAsync(page, "desktop", "administrators-added");

        var scopedId = await fixture.Factory.WithDbAsync(db => db.Users.Where(u => u.Email == scopedEmail && u.OrganizationId == SystemOrganization.Id).Select(u => u.Id).SingleAsync());
        var role = await fixture.Factory.WithDbAsync(db => db.Administrators.AsNoTracking().SingleAsync(a => a.UserId == scopedId));
        Assert.False(role.IsGlobal);
        Assert.Equal([await fixture.Factory.WithDbAsync(db => db.Organizations.Where(o => o.Name == "Initech").Select(o => o.Id).SingleAsync())], role.OrganizationIds);
        Assert.True(await fixture.Factory.WithDbAsync(db => db.AuditLog.AnyAsync(e => e.Action == "administrator.add" && e.TargetId == scopedId.ToString() && e.ActorType == AdminCaller.AdministratorActorType)));

        // The new administrator signs in: scoped, so neither the link nor the page is theirs.
        await using var secondDriver = new ConsoleDriver(fixture);
        var scopedPage = await secondDriver.NewPageAsync();
        await secondDriver.SignInAsAdministratorAsync(scopedPage, scopedEmail);
        await Assertions.Expect(scopedPage.GetByRole(AriaRole.Link, new() { Name = "Administrators" })).ToHaveCountAsync(0);
        var refused = await scopedPage.GotoAsync(fixture.BaseUrl + ConsoleRoutes.Administrators);
        Assert.Equal(403, refused!.Status);
        await Assertions.Expect(scopedPage.GetByRole(AriaRole.Alert)).ToContainTextAsync(ErrorCatalog.NoPermission.Code);

        // Removed: their row goes, and their very next request is refused.
        await page.GetByRole(AriaRole.Row).Filter(new() { HasText = scopedEmail }).GetByText("Remove…").ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = $"Yes, remove {scopedEmail}" }).ClickAsync();
        await Assertions.Expect(page.Locator("p.notice")).ToContainTextAsync("Administrator removed.");
        await Assertions.Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = scopedEmail })).ToHaveCountAsync(0);
        Assert.False(await fixture.Factory.WithDbAsync(db => db.Administrators.AnyAsync(a => a.UserId == scopedId)));
        Assert.True(await fixture.Factory.WithDbAsync(db => db.AuditLog.AnyAsync(e => e.Action == "administrator.remove" && e.TargetId == scopedId.ToString())));

        var afterRemoval = await scopedPage.GotoAsync(fixture.BaseUrl + "/admin/organizations");
        Assert.Equal(403, afterRemoval!.Status);
        await Assertions.Expect(scopedPage.GetByRole(AriaRole.Heading, new() { Name = "No access" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Change_role_opens_the_form_with_the_address_and_the_current_role_ticked()
    {
        await using var driver = new ConsoleDriver(fixture);
        var rootEmail = await driver.AddAdministratorAsync("rescoper");
        var kept = await fixture.CreateOrganizationAsync("Globex " + Guid.NewGuid().ToString("N")[..6]);
        var added = await fixture.CreateOrganizationAsync("Umbrella " + Guid.NewGuid().ToString("N")[..6]);
        var keptName = await fixture.Factory.WithDbAsync(db => db.Organizations.Where(o => o.Id == kept.Id).Select(o => o.Name).SingleAsync());
        var addedName = await fixture.Factory.WithDbAsync(db => db.Organizations.Where(o => o.Id == added.Id).Select(o => o.Name).SingleAsync());
        var scopedEmail = await driver.AddAdministratorAsync("rescoped", kept.Id);
        var page = await driver.NewPageAsync();
        await driver.SignInAsAdministratorAsync(page, rootEmail);
        await page.GotoAsync(fixture.BaseUrl + ConsoleRoutes.Administrators);

        await page.GetByRole(AriaRole.Link, new() { Name = $"Change role of {scopedEmail}" }).ClickAsync();
        await Assertions.Expect(page.GetByLabel("Email address")).ToHaveValueAsync(scopedEmail);
        await Assertions.Expect(page.GetByLabel(keptName)).ToBeCheckedAsync();
        await Assertions.Expect(page.GetByLabel(addedName)).Not.ToBeCheckedAsync();
        await Assertions.Expect(page.GetByLabel("Global: every organization, and the administrators")).Not.ToBeCheckedAsync();
        await ConsoleDriver.ShotAsync(page, "desktop", "administrators-change-role");

        // One more tick keeps the first organization: nothing has to be remembered and ticked again.
        await page.GetByLabel(addedName).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save administrator" }).ClickAsync();
        await Assertions.Expect(page.Locator("p.notice")).ToContainTextAsync($"{scopedEmail} is now an administrator of");
        var scopedId = await fixture.Factory.WithDbAsync(db => db.Users.Where(u => u.Email == scopedEmail && u.OrganizationId == SystemOrganization.Id).Select(u => u.Id).SingleAsync());
        var role = await fixture.Factory.WithDbAsync(db => db.Administrators.AsNoTracking().SingleAsync(a => a.UserId == scopedId));
        Assert.Equal(new[] { kept.Id, added.Id }.Order(), role.OrganizationIds.Order());
        // After saving, the form is empty again for the next person.
        await Assertions.Expect(page.GetByLabel("Email address")).ToHaveValueAsync("");
    }

    [Fact]
    public async Task Nobody_removes_or_demotes_themselves_in_the_console()
    {
        await using var driver = new ConsoleDriver(fixture);
        var email = await driver.AddAdministratorAsync("self");
        await fixture.CreateOrganizationAsync("Hooli");
        var userId = await fixture.Factory.WithDbAsync(db => db.Users.Where(u => u.Email == email && u.OrganizationId == SystemOrganization.Id).Select(u => u.Id).SingleAsync());
        var page = await driver.NewPageAsync();
        await driver.SignInAsAdministratorAsync(page, email);
        await page.GotoAsync(fixture.BaseUrl + ConsoleRoutes.Administrators);

        // Their own row has no remove button; a forged post (with the page's valid token) is refused.
        await Assertions.Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = email }).GetByText("Remove…")).ToHaveCountAsync(0);
        var token = await page.Locator("input[name=__RequestVerificationToken]").First.GetAttributeAsync("value");
        var form = page.Context.APIRequest.CreateFormData();
        form.Set("_handler", "remove-administrator");
        form.Set("__RequestVerificationToken", token!);
        form.Set("Remove", userId.ToString());
        var forged = await page.Context.APIRequest.PostAsync(fixture.BaseUrl + ConsoleRoutes.Administrators, new() { Form = form, MaxRedirects = 0 });
        Assert.Equal(400, forged.Status);
        Assert.Contains(ErrorCatalog.EntityInvalid.Code, await forged.TextAsync());

        // An organization value that is not an id: refused before anything is written.
        var forgedAdd = page.Context.APIRequest.CreateFormData();
        forgedAdd.Set("_handler", "add-administrator");
        forgedAdd.Set("__RequestVerificationToken", token!);
        forgedAdd.Set("Form.Email", "forged@example.com");
        forgedAdd.Set("organizationIds", "not-an-id");
        var badId = await page.Context.APIRequest.PostAsync(fixture.BaseUrl + ConsoleRoutes.Administrators, new() { Form = forgedAdd, MaxRedirects = 0 });
        Assert.Equal(400, badId.Status);
        Assert.Contains("An organization id is not a valid id.", await badId.TextAsync());
        Assert.False(await fixture.Factory.WithDbAsync(db => db.Users.AnyAsync(u => u.Email == "forged@example.com")));

        // A role needs a tick of its own: nothing ticked, or Global and an organization, is refused.
        var someone = $"someone-{Guid.NewGuid():N}@example.com";
        await page.GetByLabel("Email address").FillAsync(someone);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save administrator" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Choose the organizations this administrator manages, or Global.");
        await page.GetByLabel("Email address").FillAsync(someone);
        await page.GetByLabel("Global: every organization").CheckAsync();
        await page.GetByLabel("Hooli").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save administrator" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("not both");
        Assert.False(await fixture.Factory.WithDbAsync(db => db.Users.AnyAsync(u => u.Email == someone)));
        await page.GetByLabel("Email address").FillAsync(someone);
        await page.GetByLabel("Hooli").UncheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save administrator" }).ClickAsync();
        await Assertions.Expect(page.Locator("p.notice")).ToContainTextAsync($"{someone} is now a global administrator.");

        // Demoting oneself to one organization through the add form: refused, still global.
        await page.GetByLabel("Email address").FillAsync(email);
        await page.GetByLabel("Hooli").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save administrator" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync(ErrorCatalog.EntityInvalid.Code);
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("your own global role");
        await ConsoleDriver.ShotAsync(page, "desktop", "administrators-error");
        Assert.True(await fixture.Factory.WithDbAsync(db => db.Administrators.Where(a => a.UserId == userId).Select(a => a.IsGlobal).SingleAsync()));
    }

    [Fact]
    public async Task Two_global_administrators_removing_each_other_at_once_leave_exactly_one()
    {
        for (var round = 0; round < 5; round++)
        {
            // Only these two are global (the other tests of this class made their own and are done with them).
            await fixture.Factory.WithDbAsync(db => db.Administrators.ExecuteDeleteAsync());
            var first = await AddGlobalAsync($"first-{round}");
            var second = await AddGlobalAsync($"second-{round}");

            using var start = new ManualResetEventSlim();
            var removals = new[] { (Caller: first, Target: second), (Caller: second, Target: first) }.Select(pair => Task.Run(async () =>
            {
                await using var scope = fixture.Factory.Services.CreateAsyncScope();
                var service = scope.ServiceProvider.GetRequiredService<AdministratorService>();
                start.Wait();
                return await service.RemoveAsync(AdminCaller.Administrator(pair.Caller, null, "127.0.0.1"), pair.Target, CancellationToken.None);
            })).ToList();
            start.Set();
            var outcomes = await Task.WhenAll(removals);

            Assert.Single(outcomes, o => !o.Failed);
            // The second to get the lock has just lost its own role: it no longer holds a global one.
            var refusal = Assert.Single(outcomes, o => o.Failed).Error!;
            Assert.Equal((ErrorCatalog.NoPermission.Code, 403), (refusal.Code, refusal.Status));
            Assert.Equal(1, await fixture.Factory.WithDbAsync(db => db.Administrators.CountAsync(a => a.IsGlobal)));
        }
    }

    [Fact]
    public async Task Refusals_of_the_service_carry_their_catalog_codes()
    {
        await using var scope = fixture.Factory.Services.CreateAsyncScope();
        var caller = await AddGlobalAsync("caller");
        var missing = await scope.ServiceProvider.GetRequiredService<AdministratorService>()
            .RemoveAsync(AdminCaller.Administrator(caller, null, "127.0.0.1"), Guid.NewGuid(), CancellationToken.None);
        Assert.Equal((ErrorCatalog.EntityMissing.Code, 404), (missing.Error!.Code, missing.Error.Status));

        var scoped = await scope.ServiceProvider.GetRequiredService<AdministratorService>()
            .RemoveAsync(AdminCaller.Administrator(caller, [Guid.NewGuid()], "127.0.0.1"), caller, CancellationToken.None);
        Assert.Equal((ErrorCatalog.NoPermission.Code, 403), (scoped.Error!.Code, scoped.Error.Status));

        // The administrators' own organization is never a scoped role.
        var system = await scope.ServiceProvider.GetRequiredService<AdministratorService>()
            .AddAsync(AdminCaller.Administrator(caller, null, "127.0.0.1"), $"sys-{Guid.NewGuid():N}@example.com", isGlobal: false, [SystemOrganization.Id], CancellationToken.None);
        Assert.Equal((ErrorCatalog.EntityInvalid.Code, 400), (system.Error!.Code, system.Error.Status));
    }

    [Fact]
    public async Task Administrators_stay_out_of_reach_of_the_user_admin_and_of_scoped_callers()
    {
        await using var scope = fixture.Factory.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var first = await AddGlobalAsync("keeper");
        var second = await AddGlobalAsync("other");

        // An administrator's user is neither deleted nor blocked through the user admin: the role goes first.
        var users = services.GetRequiredService<UserAdmin>();
        var deleted = await users.DeleteAsync(AdminCommand.CommandLineCaller(), second, CancellationToken.None);
        Assert.Equal((ErrorCatalog.EntityInvalid.Code, 400), (deleted.Error!.Code, deleted.Error.Status));
        var blocked = await users.UpdateAsync(AdminCommand.CommandLineCaller(), second, new UpdateUserRequest { Blocked = true }, CancellationToken.None);
        Assert.Equal((ErrorCatalog.EntityInvalid.Code, 400), (blocked.Error!.Code, blocked.Error.Status));
        Assert.True(await fixture.Factory.WithDbAsync(db => db.Users.AnyAsync(u => u.Id == second && !u.Blocked)));

        // A caller whose global role went away while its request was under way is refused under the lock.
        await fixture.Factory.WithDbAsync(db => db.Administrators.Where(a => a.UserId == first).ExecuteDeleteAsync());
        var stale = await services.GetRequiredService<AdministratorService>()
            .RemoveAsync(AdminCaller.Administrator(first, null, "127.0.0.1"), second, CancellationToken.None);
        Assert.Equal((ErrorCatalog.NoPermission.Code, 403), (stale.Error!.Code, stale.Error.Status));
        Assert.True(await fixture.Factory.WithDbAsync(db => db.Administrators.AnyAsync(a => a.UserId == second)));

        // The administrators' organization is out of reach of every scoped caller, whatever its row or key says.
        var other = Guid.NewGuid();
        Assert.False(AdminCaller.Administrator(first, [SystemOrganization.Id, other], null).CanAccess(SystemOrganization.Id));
        Assert.True(AdminCaller.Administrator(first, [SystemOrganization.Id, other], null).CanAccess(other));
        Assert.False(AdminCaller.ApiKey(Guid.NewGuid(), SystemOrganization.Id, null).CanAccess(SystemOrganization.Id));
        var key = await services.GetRequiredService<ApiKeyService>().CreateAsync(AdminCommand.CommandLineCaller(), "system", SystemOrganization.Id, CancellationToken.None);
        Assert.Equal((ErrorCatalog.EntityInvalid.Code, 400), (key.Error!.Code, key.Error.Status));
    }

    [Theory]
    [InlineData("desktop", 1280, 800)]
    [InlineData("phone", 390, 844)]
    public async Task A_console_path_that_does_not_exist_is_a_404_page_inside_the_console(string device, int width, int height)
    {
        await using var driver = new ConsoleDriver(fixture);
        var email = await driver.AddAdministratorAsync("lost-" + device);

        // Signed out, the path is not even looked up: the sign-in comes first.
        var page = await driver.NewPageAsync(width, height);
        await page.GotoAsync(fixture.BaseUrl + "/admin/no-such-page");
        await page.WaitForAddressAsync("**/login?**");

        await driver.SignInAsAdministratorAsync(page, email);
        foreach (var path in new[] { "/admin/no-such-page", "/admin/organizations/not-an-id", "/admin/users/123/more" })
        {
            var response = await page.GotoAsync(fixture.BaseUrl + path);
            Assert.True(response!.Status == 404, $"{path} answered {response.Status}");
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Page not found", Level = 1 })).ToBeVisibleAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Dashboard", Exact = true })).ToBeVisibleAsync();
        }

        // A page's own 404 (an unknown user) is shown inside the console as well, with its catalog code.
        var unknownUser = await page.GotoAsync($"{fixture.BaseUrl}/admin/users/{Guid.NewGuid()}");
        Assert.Equal(404, unknownUser!.Status);
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync(ErrorCatalog.EntityMissing.Code);
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Dashboard", Exact = true })).ToBeVisibleAsync();

        // A console path that exists with another method: 405 with Allow, not a 404.
        var wrongMethod = await page.GotoAsync(fixture.BaseUrl + "/admin/signout");
        Assert.Equal(405, wrongMethod!.Status);
        Assert.Equal("POST", await wrongMethod.HeaderValueAsync("allow"));
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync(ErrorCatalog.MethodNotAllowed.Code);

        await page.GotoAsync(fixture.BaseUrl + "/admin/no-such-page");
        await ConsoleDriver.ShotAsync(page, device, "not-found");
        Assert.Empty(await ConsoleDriver.SeriousAccessibilityViolationsAsync(page));
        await page.GetByRole(AriaRole.Link, new() { Name = "Go to the dashboard" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Dashboard", Level = 1 })).ToBeVisibleAsync();
        Assert.Empty(driver.ConsoleErrors);
    }

    private async Task<Guid> AddGlobalAsync(string name)
    {
        await using var scope = fixture.Factory.Services.CreateAsyncScope();
        var added = await scope.ServiceProvider.GetRequiredService<AdministratorService>()
            .AddAsync(AdminCommand.CommandLineCaller(), $"{name}-{Guid.NewGuid():N}@example.com", isGlobal: true, [], CancellationToken.None);
        Assert.False(added.Failed, added.Error?.Message);
        return added.Value!.UserId;
    }
}
