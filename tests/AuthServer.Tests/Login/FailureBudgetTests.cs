using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using AuthServer.Features.Admin;
using AuthServer.Features.Audit;
using AuthServer.Tests.Admin;
using AuthServer.Tests.Infrastructure;
using AuthServer.Tests.Passkeys;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AuthServer.Tests.Login;

/// <summary>
/// A small budget of consecutive wrong codes (7), a per-window limit of code checks (5 per address) and a test
/// clock, so one test spends the budget over several attempts and rate-limit windows.
/// </summary>
public sealed class FailureBudgetFixture : LoginServerFixture
{
    public const int Budget = 7;

    public ShiftedClock Clock { get; } = new();
    public string AdminKey { get; private set; } = "";

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["Login:MaxConsecutiveFailedCodes"] = Budget.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Login:MaxWrongCodes"] = "3",
        ["Login:MaxCodeChecksPerAddress"] = "5",
    };

    protected override Action<IServiceCollection>? ConfigureServices => services => services.AddSingleton<TimeProvider>(Clock);

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await using var scope = Factory.Services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<ApiKeyService>().CreateAsync("budget tests", null, AuditActor.CommandLine(), CancellationToken.None);
        AdminKey = created.Value!.Key;
    }

    public HttpClient Admin()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        return client;
    }
}

public sealed class FailureBudgetTests(FailureBudgetFixture fixture) : IClassFixture<FailureBudgetFixture>
{
    private static readonly TimeSpan NextWindow = TimeSpan.FromMinutes(16);

    /// <summary>A code that is surely wrong: the emailed one plus one.</summary>
    private static string Wrong(string code) => ((int.Parse(code) + 1) % 100_000).ToString("D5");

    private async Task<(LoginDriver.LoginPage CodePage, string Code)> NewAttemptAsync(LoginDriver driver, TestOrganization organization, string email)
    {
        var codePage = await driver.SubmitEmailAsync(await driver.OpenAsync(LoginDriver.LoginUrl(organization)), email);
        Assert.True(codePage.Response.StatusCode == HttpStatusCode.OK, codePage.Html);
        return (codePage, fixture.Outbox.LatestCodeFor(email));
    }

    private async Task<int> FailuresAsync(TestOrganization organization, string email)
    {
        using var admin = fixture.Admin();
        var state = await (await admin.GetAsync($"/api/v1/admin/organizations/{organization.Id}/email_login_lock?email={Uri.EscapeDataString(email)}")).ReadJsonAsync();
        Assert.Equal(FailureBudgetFixture.Budget, state.GetProperty("budget").GetInt32());
        return state.GetProperty("consecutiveFailedCodes").GetInt32();
    }

    [Fact]
    public async Task Wrong_codes_across_attempts_and_windows_lock_the_address_until_an_admin_unlocks_it()
    {
        var organization = await fixture.CreateOrganizationAsync();
        var email = $"target-{Guid.NewGuid():N}@example.com";
        using var driver = fixture.Driver();

        // Window 1: a first attempt burned by 3 wrong codes, 2 more on a second attempt; the window's 5 checks are used.
        var (first, firstCode) = await NewAttemptAsync(driver, organization, email);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.BadRequest, (await driver.SubmitCodeAsync(first, Wrong(firstCode))).Response.StatusCode);
        }

        var (second, secondCode) = await NewAttemptAsync(driver, organization, email);
        await driver.SubmitCodeAsync(second, Wrong(secondCode));
        await driver.SubmitCodeAsync(second, Wrong(secondCode));
        Assert.Equal(HttpStatusCode.TooManyRequests, (await driver.SubmitCodeAsync(second, secondCode)).Response.StatusCode);
        Assert.Equal(5, await FailuresAsync(organization, email));

        // Window 2: the per-window limit starts over, the budget does not. The 7th wrong code spends it.
        fixture.Clock.Advance(NextWindow);
        var (third, thirdCode) = await NewAttemptAsync(driver, organization, email);
        Assert.Equal(HttpStatusCode.BadRequest, (await driver.SubmitCodeAsync(third, Wrong(thirdCode))).Response.StatusCode);
        var spending = await driver.SubmitCodeAsync(third, Wrong(thirdCode));
        Assert.Equal(HttpStatusCode.Forbidden, spending.Response.StatusCode);
        Assert.Contains("locked", spending.Error);

        // The right code of a live attempt, and a new email, are refused from now on.
        var rightCode = await driver.SubmitCodeAsync(third, thirdCode);
        Assert.Equal(HttpStatusCode.Forbidden, rightCode.Response.StatusCode);
        Assert.Contains("locked", rightCode.Error);
        fixture.Clock.Advance(NextWindow);
        var refused = await driver.SubmitEmailAsync(await driver.OpenAsync(LoginDriver.LoginUrl(organization)), email);
        Assert.Equal(HttpStatusCode.Forbidden, refused.Response.StatusCode);
        Assert.Equal(FailureBudgetFixture.Budget, await FailuresAsync(organization, email));

        // Told once by email; the lock and the refused check are in the audit log.
        Assert.Single(fixture.Outbox.AllTo(email), m => m.Subject.Contains("is locked", StringComparison.Ordinal));
        var audit = await fixture.Factory.WithDbAsync(db => db.AuditLog.AsNoTracking().Where(a => a.OrganizationId == organization.Id).ToListAsync());
        Assert.Single(audit, a => a.Action == "emailLogin.lock" && a.TargetId == email && a.Status == "emailLoginLocked");
        Assert.Contains(audit, a => a.Action == "signin.email" && a.Status == "emailLoginLocked");

        // The admin unlock gives the budget back (audited), and the address signs in by code again.
        using var admin = fixture.Admin();
        var unlocked = await (await admin.PostAsJsonAsync($"/api/v1/admin/organizations/{organization.Id}/email_login_lock/unlock", new { email })).ReadJsonAsync();
        Assert.False(unlocked.GetProperty("locked").GetBoolean());
        await driver.SignInAsync(organization, email);
        Assert.Contains(await fixture.Factory.WithDbAsync(db => db.AuditLog.AsNoTracking().Where(a => a.OrganizationId == organization.Id).ToListAsync()),
            a => a.Action == "emailLogin.unlock" && a.ActorType == "apiKey");
    }

    [Fact]
    public async Task A_successful_sign_in_resets_the_count_so_only_consecutive_failures_lock()
    {
        var organization = await fixture.CreateOrganizationAsync();
        var email = $"forgetful-{Guid.NewGuid():N}@example.com";
        using var driver = fixture.Driver();

        for (var round = 0; round < 3; round++)
        {
            fixture.Clock.Advance(NextWindow);
            var (page, code) = await NewAttemptAsync(driver, organization, email);
            await driver.SubmitCodeAsync(page, Wrong(code));
            await driver.SubmitCodeAsync(page, Wrong(code));
            Assert.Equal(2, await FailuresAsync(organization, email));
            Assert.Equal(HttpStatusCode.Redirect, (await driver.SubmitCodeAsync(page, code)).Response.StatusCode);
            Assert.Equal(0, await FailuresAsync(organization, email));
        }
    }

    [Fact]
    public async Task A_passkey_sign_in_reopens_a_locked_address()
    {
        var organization = await fixture.CreateOrganizationAsync();
        var email = $"pk-locked-{Guid.NewGuid():N}@example.com";
        using var authenticator = new SoftwareAuthenticator();
        var passkeys = new PasskeyDriver(fixture.Driver(), fixture.Outbox);
        await passkeys.RegisterAsync(organization, email, authenticator);

        using var driver = fixture.Driver();
        while (await FailuresAsync(organization, email) < FailureBudgetFixture.Budget)
        {
            fixture.Clock.Advance(NextWindow);
            var (page, code) = await NewAttemptAsync(driver, organization, email);
            for (var i = 0; i < 3 && await FailuresAsync(organization, email) < FailureBudgetFixture.Budget; i++)
            {
                await driver.SubmitCodeAsync(page, Wrong(code));
            }
        }

        var locked = await driver.SubmitEmailAsync(await driver.OpenAsync(LoginDriver.LoginUrl(organization)), email);
        Assert.Equal(HttpStatusCode.Forbidden, locked.Response.StatusCode);

        await passkeys.SignInAsync(organization, authenticator);
        Assert.Equal(0, await FailuresAsync(organization, email));
        await driver.SignInAsync(organization, email);
    }

    [Fact]
    public async Task The_admin_calls_check_their_input()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var admin = fixture.Admin();
        await (await admin.GetAsync($"/api/v1/admin/organizations/{organization.Id}/email_login_lock")).AssertErrorAsync(HttpStatusCode.BadRequest, "missingFields");
        await (await admin.PostAsJsonAsync($"/api/v1/admin/organizations/{organization.Id}/email_login_lock/unlock", new { email = "not an address" }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "entityInvalid");
        await (await admin.PostAsJsonAsync($"/api/v1/admin/organizations/{Guid.NewGuid()}/email_login_lock/unlock", new { email = "a@example.com" }))
            .AssertErrorAsync(HttpStatusCode.NotFound, "entityMissing");
    }
}
