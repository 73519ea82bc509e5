using System.Text.Json;
using AuthServer.Data.Entities;
using AuthServer.Features.AdminConsole;
using AuthServer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace AuthServer.Tests.Console;

/// <summary>
/// The admin console in headless Chromium, as an administrator uses it: the first administrator made by the
/// `admin add` command, signed in on the hosted login page with the code the real SMTP server received.
/// </summary>
public sealed class ConsoleDriver(KestrelServerFixture server) : IAsyncDisposable
{
    private IPlaywright? playwright;
    private IBrowser? browser;

    public async Task<IPage> NewPageAsync(int width = 1280, int height = 800)
    {
        playwright ??= await Playwright.CreateAsync();
        browser ??= await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = TestEnvironment.Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        });
        var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = width, Height = height } });
        var page = await context.NewPageAsync();
        // Any CSP violation (inline script or style) would show here as a console error.
        page.Console += (_, message) =>
        {
            // A page answered 4xx on purpose (a refused form, another organization's object) is logged as "Failed to
            // load resource"; anything else (a CSP refusal, a script error) is a fault.
            if (message.Type == "error" && !message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal))
            {
                ConsoleErrors.Add(message.Text);
            }
        };
        return page;
    }

    public List<string> ConsoleErrors { get; } = [];

    /// <summary>Runs `admin add` the way the command line does; returns the administrator's email.</summary>
    public async Task<string> AddAdministratorAsync(string name, params Guid[] organizations)
    {
        var email = $"{name}-{Guid.NewGuid():N}@example.com";
        var arguments = new List<string> { "add", "--email", email };
        foreach (var organization in organizations)
        {
            arguments.AddRange(["--organization", organization.ToString()]);
        }

        var error = new StringWriter();
        var exitCode = await AdminCommand.RunAsync(server.Factory.Services, arguments, new StringWriter(), error, CancellationToken.None);
        Assert.True(exitCode == 0, error.ToString());
        return email;
    }

    /// <summary>Opens /admin, is sent to the login page, signs in with the emailed code, lands on the console.</summary>
    public async Task SignInAsync(IPage page, string email, string? wrongCodeFirst = null)
    {
        await page.GotoAsync(server.BaseUrl + "/admin");
        await page.WaitForAddressAsync("**/login?**");
        await page.GetByLabel("Email address").FillAsync(email);
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByLabel("Code")).ToBeVisibleAsync();
        if (wrongCodeFirst is not null)
        {
            await page.GetByLabel("Code").FillAsync(wrongCodeFirst);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToBeVisibleAsync();
        }

        await page.GetByLabel("Code").FillAsync(await Maildev.WaitForCodeAsync(email));
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        // The console's organization has the passkey connection: a person without one is offered one first.
        await PasskeyOfferStep.DeclineIfOfferedAsync(page);
    }

    public async Task SignInAsAdministratorAsync(IPage page, string email, string? wrongCodeFirst = null)
    {
        await SignInAsync(page, email, wrongCodeFirst);
        await page.WaitForAddressAsync(server.BaseUrl + "/admin");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Dashboard", Level = 1 })).ToBeVisibleAsync();
    }

    public static Task ShotAsync(IPage page, string device, string name) =>
        page.ScreenshotAsync(new() { Path = Path.Combine(TestEnvironment.ArtifactsDirectory, "screenshots", $"console-{device}-{name}.png"), FullPage = true });

    /// <summary>axe-core's serious and critical violations on the page, as "rule: target" lines (none expected).</summary>
    public static async Task<IReadOnlyList<string>> SeriousAccessibilityViolationsAsync(IPage page)
    {
        // Evaluated through the DevTools protocol, which the page's CSP does not govern (a <script> tag would be refused).
        await page.EvaluateAsync(await File.ReadAllTextAsync(TestEnvironment.AxeScript));
        var json = await page.EvaluateAsync<string>("""
            async () => {
              const result = await axe.run(document, { resultTypes: ["violations"] });
              return JSON.stringify(result.violations
                .filter(v => v.impact === "serious" || v.impact === "critical")
                .flatMap(v => v.nodes.map(n => v.id + ": " + n.target.join(" "))));
            }
            """);
        return JsonSerializer.Deserialize<List<string>>(json) ?? [];
    }

    /// <summary>A user of <paramref name="organizationId"/> with one active session and one passkey, as sign-ins would leave them.</summary>
    public async Task<(Guid UserId, Guid SessionId, string Email)> CreateUserWithSessionAndPasskeyAsync(Guid organizationId)
    {
        var email = $"grace-{Guid.NewGuid():N}@example.com";
        var now = DateTimeOffset.UtcNow;
        var user = new User { Id = Guid.NewGuid(), OrganizationId = organizationId, Email = email, NormalizedEmail = email, Verified = true, Created = now, Updated = now, LastLogin = now };
        var session = new Session
        {
            Id = Guid.NewGuid(), OrganizationId = organizationId, UserId = user.Id, Method = "otp", Ip = "203.0.113.7",
            UserAgent = "Test", Created = now, LastActivity = now, VerifiedAt = now,
        };
        var passkey = new PasskeyCredential
        {
            CredentialId = Guid.NewGuid().ToByteArray(), UserId = user.Id, OrganizationId = organizationId, PublicKey = [1, 2, 3],
            Name = "Laptop", Created = now, IsUserVerified = true,
        };
        await server.Factory.WithDbAsync(async db =>
        {
            db.Users.Add(user);
            db.Sessions.Add(session);
            db.PasskeyCredentials.Add(passkey);
            return await db.SaveChangesAsync();
        });
        return (user.Id, session.Id, email);
    }

    public async ValueTask DisposeAsync()
    {
        if (browser is not null)
        {
            await browser.DisposeAsync();
        }

        playwright?.Dispose();
    }
}
