using System.Net;
using System.Text.Json;
using AuthServer.AuthClientTests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AuthServer.AuthClientTests;

/// <summary>
/// A misconfigured app explains itself: a wrong secret has its own code, one Warning naming the setting on
/// each side (app and server, with the same trace id), a neutral message for people, kept cookies; start-up
/// and the health check name the setting to fix; a callback path MapAuthClient does not serve stops the app.
/// </summary>
[Collection(ClientCollection.Name)]
public sealed class MisconfigurationTests(ClientFixture fixture)
{
    private static readonly string WrongSecret = new('w', 32);

    [Fact]
    public async Task A_wrong_secret_on_the_callback_is_clientCredentialsInvalid_with_one_warning_and_a_neutral_message()
    {
        using var browser = fixture.Browser();
        var callback = await browser.SignInToCallbackAsync("wrongsecret@example.com");
        var logs = new LogCapture();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        var (client, _) = fixture.NewClient(o => o.Secret = WrongSecret, loggers.CreateLogger<AuthClient>());
        var context = Contexts.Request(callback.ToString(), new Dictionary<string, string>
        {
            [Browser.StateCookie] = browser.Cookie(Browser.StateCookie)!,
            [Browser.VerifierCookie] = browser.Cookie(Browser.VerifierCookie)!,
        });

        var error = await Assert.ThrowsAsync<AuthException>(() => client.CallbackAsync(context));

        Assert.Equal(AuthErrorCode.ClientCredentialsInvalid, error.Error);
        Assert.Equal("clientCredentialsInvalid", error.ErrorCode);
        Assert.Equal(StatusCodes.Status401Unauthorized, error.StatusCode);
        Assert.True(error.IsConfigurationError);
        Assert.False(error.RequiresSignIn);
        Assert.DoesNotContain("credential", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secret", error.Message, StringComparison.OrdinalIgnoreCase);

        var warning = Assert.Single(logs.AtLeast(LogLevel.Warning));
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("AuthClient:Secret", warning.Message);
        Assert.Contains(fixture.ClientId, warning.Message);
        Assert.DoesNotContain(WrongSecret, warning.Message);

        Assert.NotNull(error.TraceId);
        var serverLine = Assert.Single(fixture.Server.Logs.AtLeast(LogLevel.Warning), l => l.Message.Contains(error.TraceId!));
        Assert.Equal(LogLevel.Warning, serverLine.Level);
        Assert.Contains(fixture.ClientId, serverLine.Message);
        Assert.DoesNotContain(WrongSecret, serverLine.Message);
        Assert.DoesNotContain(fixture.Secret, serverLine.Message);

        // A refused app does not spend the code: the rightly configured app signs the person in with it.
        var signedIn = await browser.GetAsync(callback.ToString());
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.NotNull(browser.Cookie(Browser.TokenCookie));
    }

    [Fact]
    public async Task An_app_with_a_wrong_secret_says_so_at_start_keeps_cookies_and_fails_its_health_check()
    {
        using var browser = fixture.Browser();
        await browser.SignInAsync("wrongsecretapp@example.com");
        await using var app = await TestApp.StartAsync(fixture, new Dictionary<string, string?> { ["AuthClient:Secret"] = WrongSecret },
            services: builder =>
            {
                builder.Services.AddAuthClient(builder.Configuration);
                builder.Services.AddHealthChecks().AddAuthClientCheck();
            },
            map: web =>
            {
                web.MapAuthClient("/api/auth");
                web.MapGet("/protected", () => "secret page").RequireAuthorization();
                web.MapHealthChecks("/health");
            });

        var startup = await app.Logs.WaitForAsync(l => l.Level >= LogLevel.Warning && l.Message.Contains("AuthClient:Secret"), TimeSpan.FromSeconds(15));
        Assert.NotNull(startup);
        Assert.Equal(LogLevel.Error, startup.Level);
        Assert.DoesNotContain(WrongSecret, startup.Message);

        var api = await browser.Http.SendAsync(app.Get("/protected", "application/json"));
        var body = JsonDocument.Parse(await api.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, api.StatusCode);
        Assert.Equal("clientCredentialsInvalid", body.GetProperty("errorCode").GetString());
        Assert.DoesNotContain("credential", body.GetProperty("message").GetString()!, StringComparison.OrdinalIgnoreCase);
        Assert.False(api.Headers.Contains("Set-Cookie"), "The person's cookie must be kept: the app is at fault, not the session.");

        var health = await browser.Http.GetAsync(app.Url + "/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Equal("Unhealthy", await health.Content.ReadAsStringAsync());

        // Probed again and again, the same problem is not logged again.
        await browser.Http.GetAsync(app.Url + "/health");
        Assert.Single(app.Logs.Lines, l => l.Level == LogLevel.Error && l.Message.Contains("configuration check failed"));
    }

    [Fact]
    public async Task An_unreachable_server_at_start_is_one_warning_naming_AuthBaseUrl()
    {
        await using var app = await TestApp.StartAsync(fixture, new Dictionary<string, string?> { ["AuthClient:AuthBaseUrl"] = "http://127.0.0.1:1" });

        var line = await app.Logs.WaitForAsync(l => l.Level >= LogLevel.Warning && l.Message.Contains("AuthClient:AuthBaseUrl"), TimeSpan.FromSeconds(15));

        Assert.NotNull(line);
        Assert.Equal(LogLevel.Warning, line.Level);
        Assert.Contains("networkError", line.Message);
    }

    [Fact]
    public async Task A_correct_configuration_passes_the_start_up_check_and_the_health_check()
    {
        await using var app = await TestApp.StartAsync(fixture,
            services: builder =>
            {
                builder.Services.AddAuthClient(builder.Configuration);
                builder.Services.AddHealthChecks().AddAuthClientCheck();
            },
            map: web =>
            {
                web.MapAuthClient("/api/auth");
                web.MapHealthChecks("/health");
            });

        var passed = await app.Logs.WaitForAsync(l => l.Message.Contains("configuration check passed"), TimeSpan.FromSeconds(15));
        using var http = new HttpClient();
        var health = await http.GetAsync(app.Url + "/health");

        Assert.NotNull(passed);
        Assert.Empty(app.Logs.AtLeast(LogLevel.Warning));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("Healthy", await health.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_origin_that_is_not_whitelisted_is_named_as_the_CallbackUrl_problem()
    {
        var problems = await fixture.NewClient(o => o.CallbackUrl = "https://not-whitelisted.example/api/auth/callback").Client.CheckConfigurationAsync();

        var problem = Assert.Single(problems);
        Assert.Equal("AuthClient:CallbackUrl", problem.Setting);
        Assert.Equal(AuthErrorCode.DomainInvalid, problem.Error);
    }

    [Fact]
    public async Task A_callback_path_that_MapAuthClient_does_not_serve_stops_the_app_at_start()
    {
        var app = TestApp.Build(fixture, new Dictionary<string, string?> { ["AuthClient:CallbackUrl"] = fixture.AppUrl + "/auth/callback" },
            null, null, out _, out var logs);
        await using var disposeApp = app;

        var thrown = await Assert.ThrowsAnyAsync<Exception>(() => app.StartAsync());

        var error = thrown as AuthException ?? Assert.IsType<AuthException>(thrown.InnerException);
        Assert.Equal(AuthErrorCode.CallbackUrlInvalid, error.Error);
        Assert.Contains("/api/auth/callback", error.Message);
        Assert.Contains("/auth/callback", error.Message);
        var line = Assert.Single(logs.AtLeast(LogLevel.Error), l => l.Message.Contains("AuthClient:CallbackUrl"));
        Assert.Equal(LogLevel.Error, line.Level);
    }
}
