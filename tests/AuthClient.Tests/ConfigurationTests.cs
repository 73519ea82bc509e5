using System.Net.Http.Json;
using AuthServer.AuthClientTests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace AuthServer.AuthClientTests;

/// <summary>Configuration errors fail fast, before any request, with their own codes.</summary>
[Collection(ClientCollection.Name)]
public sealed class ConfigurationTests(ClientFixture fixture)
{
    public static TheoryData<string, string?, AuthErrorCode> Errors => new()
    {
        { "ClientId", null, AuthErrorCode.OrganizationIdMissing },
        { "ClientId", "  ", AuthErrorCode.OrganizationIdMissing },
        { "Secret", null, AuthErrorCode.SecretMissing },
        { "Secret", "", AuthErrorCode.SecretMissing },
        { "AuthBaseUrl", null, AuthErrorCode.AuthBaseUrlMissing },
        { "AuthBaseUrl", "auth.example.com", AuthErrorCode.AuthBaseUrlMissing },
        { "AuthBaseUrl", "ftp://auth.example.com", AuthErrorCode.AuthBaseUrlMissing },
        { "CallbackUrl", null, AuthErrorCode.CallbackUrlMissing },
        { "CallbackUrl", "/api/auth/callback", AuthErrorCode.CallbackUrlInvalid },
        { "CallbackUrl", "https://app.example.com/callback#fragment", AuthErrorCode.CallbackUrlInvalid },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void A_missing_or_malformed_setting_throws_its_code_when_the_client_is_made(string setting, string? value, AuthErrorCode expected)
    {
        var options = fixture.Options(o => typeof(AuthClientOptions).GetProperty(setting)!.SetValue(o, value));
        var handler = new NoRequestsHandler();

        var error = Assert.Throws<AuthException>(() => new AuthClient(options, new HttpClient(handler)));

        Assert.Equal(expected, error.Error);
        Assert.Equal(expected.ToWireCode(), error.ErrorCode);
        Assert.Null(error.StatusCode);
        Assert.Equal(0, handler.Calls);
    }

    [Fact]
    public async Task An_app_with_a_missing_setting_does_not_start()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AuthClient:Secret"] = "s",
            ["AuthClient:AuthBaseUrl"] = "https://auth.example.com",
            ["AuthClient:CallbackUrl"] = "https://app.example.com/api/auth/callback",
        });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddAuthClient(builder.Configuration);
        await using var app = builder.Build();
        app.MapAuthClient("/api/auth");

        var error = await Assert.ThrowsAsync<AuthException>(() => app.StartAsync());

        Assert.Equal(AuthErrorCode.OrganizationIdMissing, error.Error);
    }

    [Fact]
    public async Task A_wrong_secret_is_refused_by_the_server_as_clientCredentialsInvalid_not_a_session_error()
    {
        using var browser = fixture.Browser();
        await browser.SignInAsync("wrongsecret@example.com");
        var (client, _) = fixture.NewClient(o => o.Secret = new string('x', 32));

        var error = await Assert.ThrowsAsync<AuthException>(() => client.GetUserAsync(browser.Token, new EndUserContext("127.0.0.1", ClientFixture.UserAgent)));

        Assert.Equal(AuthErrorCode.ClientCredentialsInvalid, error.Error);
        Assert.False(error.RequiresSignIn);
    }

    [Fact]
    public async Task An_app_origin_the_organization_does_not_whitelist_is_domainInvalid()
    {
        using var browser = fixture.Browser();
        await browser.SignInAsync("otherorigin@example.com");
        var (client, _) = fixture.NewClient(o => o.CallbackUrl = "https://not-whitelisted.example.com/api/auth/callback");

        var error = await Assert.ThrowsAsync<AuthException>(() => client.GetUserAsync(browser.Token, new EndUserContext("127.0.0.1", ClientFixture.UserAgent)));

        Assert.Equal(AuthErrorCode.DomainInvalid, error.Error);
    }

    [Fact]
    public async Task A_callback_url_the_organization_does_not_whitelist_is_shown_by_the_server_not_redirected()
    {
        var (client, _) = fixture.NewClient(o => o.CallbackUrl = "https://not-whitelisted.example.com/api/auth/callback");
        var context = Contexts.Request("https://not-whitelisted.example.com/api/auth/login");
        var loginPage = Contexts.RedirectUrl(await client.LoginAsync(context));
        using var browser = fixture.Browser();

        var response = await browser.Http.GetAsync(loginPage);

        Assert.NotEqual(System.Net.HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("callbackUrlInvalid", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Every_code_of_the_servers_catalog_has_its_member()
    {
        using var http = new HttpClient();
        var catalog = await http.GetFromJsonAsync<System.Text.Json.JsonElement>(fixture.ServerUrl + "/api/v1/errors");

        var codes = catalog.EnumerateArray().Select(e => e.GetProperty("code").GetString()!).ToList();

        Assert.NotEmpty(codes);
        Assert.All(codes, code =>
        {
            Assert.NotEqual(AuthErrorCode.Unknown, AuthErrorCodes.Parse(code));
            Assert.Equal(code, AuthErrorCodes.Parse(code).ToWireCode());
        });
    }

    private sealed class NoRequestsHandler : HttpMessageHandler
    {
        public int Calls { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Calls++;
            throw new InvalidOperationException("No request may be sent.");
        }
    }
}
