using System.Net;
using System.Text.Json;
using AuthServer.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;

namespace AuthServer.Tests.Connect;

/// <summary>Tokens of the standard face live and die with the session they name.</summary>
public sealed class SessionLifecycleTests(LoginServerFixture fixture) : IClassFixture<LoginServerFixture>
{
    private Task<TestOrganization> ClientAsync() => fixture.CreateOrganizationAsync(o => o.RedirectUris = [LoginServerFixture.Callback]);

    private OidcDriver Driver() => new(fixture.Driver(), fixture.Outbox);

    [Fact]
    public async Task Introspection_of_an_active_token_names_its_subject()
    {
        var organization = await ClientAsync();
        var oidc = Driver();
        var tokens = await oidc.TokensAsync(organization, "introspect@example.com");

        var result = await oidc.IntrospectAsync(organization, tokens.GetProperty("access_token").GetString()!);

        Assert.True(result.GetProperty("active").GetBoolean());
        Assert.Equal(organization.ClientId, result.GetProperty("client_id").GetString());
        Assert.False(string.IsNullOrEmpty(result.GetProperty("sub").GetString()));
    }

    [Fact]
    public async Task Revoked_refresh_token_is_inactive_and_cannot_be_used()
    {
        var organization = await ClientAsync();
        var oidc = Driver();
        var tokens = await oidc.TokensAsync(organization, "revoke@example.com");
        var refresh = tokens.GetProperty("refresh_token").GetString()!;

        var revoke = new HttpRequestMessage(HttpMethod.Post, "/connect/revoke") { Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = refresh }) };
        revoke.Headers.Authorization = organization.Basic;
        Assert.Equal(HttpStatusCode.OK, (await oidc.Client.SendAsync(revoke)).StatusCode);

        Assert.False((await oidc.IntrospectAsync(organization, refresh)).GetProperty("active").GetBoolean());
        await OidcDriver.AssertOAuthErrorAsync(await oidc.RefreshAsync(organization, refresh), HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Fact]
    public async Task Logout_on_the_CentralAuth_face_ends_the_standard_tokens_too()
    {
        var organization = await ClientAsync();
        var oidc = Driver();
        var tokens = await oidc.TokensAsync(organization, "cross-face@example.com");
        var sessionId = await fixture.Factory.WithDbAsync(db => Task.FromResult(db.Sessions.Single(s => s.User!.NormalizedEmail == "cross-face@example.com").Id));
        await fixture.Factory.WithDbAsync(async db =>
        {
            await new AuthServer.Features.Sessions.SessionService(db, Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<AuthServer.Features.Webhooks.WebhookEvents>(fixture.Factory.Services), TimeProvider.System).EndAsync(sessionId, "logout", CancellationToken.None);
            return 0;
        });

        Assert.False((await oidc.IntrospectAsync(organization, tokens.GetProperty("access_token").GetString()!)).GetProperty("active").GetBoolean());
        await OidcDriver.AssertOAuthErrorAsync(await oidc.RefreshAsync(organization, tokens.GetProperty("refresh_token").GetString()!), HttpStatusCode.BadRequest, "invalid_grant");
        var userInfo = new HttpRequestMessage(HttpMethod.Get, "/connect/userinfo");
        userInfo.Headers.Authorization = new("Bearer", tokens.GetProperty("access_token").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await oidc.Client.SendAsync(userInfo)).StatusCode);
    }

    [Fact]
    public async Task Session_past_its_inactivity_time_kills_refresh()
    {
        var organization = await fixture.CreateOrganizationAsync(o =>
        {
            o.RedirectUris = [LoginServerFixture.Callback];
            o.Settings.MaxInactivityTime = 60;
        });
        var oidc = Driver();
        var tokens = await oidc.TokensAsync(organization, "idle@example.com");
        await fixture.Factory.WithDbAsync(async db =>
        {
            db.Sessions.Single(s => s.User!.NormalizedEmail == "idle@example.com").LastActivity = DateTimeOffset.UtcNow.AddMinutes(-5);
            return await db.SaveChangesAsync();
        });

        await OidcDriver.AssertOAuthErrorAsync(await oidc.RefreshAsync(organization, tokens.GetProperty("refresh_token").GetString()!), HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Fact]
    public async Task End_session_ends_the_session_and_returns_to_a_registered_post_logout_uri_only()
    {
        var organization = await ClientAsync();
        var oidc = Driver();
        var tokens = await oidc.TokensAsync(organization, "endsession@example.com");
        var idToken = tokens.GetProperty("id_token").GetString()!;

        var evil = await oidc.Client.GetAsync(QueryHelpers.AddQueryString("/connect/endsession", new Dictionary<string, string?>
        {
            ["id_token_hint"] = idToken,
            ["post_logout_redirect_uri"] = "https://evil.example/",
        }));
        Assert.Equal(HttpStatusCode.BadRequest, evil.StatusCode);
        Assert.Null(evil.Headers.Location);

        var response = await oidc.Client.GetAsync(QueryHelpers.AddQueryString("/connect/endsession", new Dictionary<string, string?>
        {
            ["id_token_hint"] = idToken,
            ["post_logout_redirect_uri"] = LoginServerFixture.AppOrigin + "/",
            ["state"] = "bye",
        }));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith(LoginServerFixture.AppOrigin + "/", response.Headers.Location!.ToString());
        Assert.Equal("bye", QueryHelpers.ParseQuery(response.Headers.Location.Query)["state"]);
        Assert.False((await oidc.IntrospectAsync(organization, tokens.GetProperty("access_token").GetString()!)).GetProperty("active").GetBoolean());

        // No single sign-on any more: the next authorize asks for a login.
        var next = await oidc.Client.GetAsync(OidcDriver.AuthorizeUrl(organization));
        Assert.StartsWith("/login/resume", next.Headers.Location!.ToString());
    }

    [Fact]
    public async Task Discovery_advertises_exactly_what_works()
    {
        using var client = fixture.CreateClient();

        var discovery = JsonDocument.Parse(await client.GetStringAsync("/.well-known/openid-configuration")).RootElement;

        Assert.Equal(["S256"], Strings(discovery, "code_challenge_methods_supported"));
        Assert.Equal(["code"], Strings(discovery, "response_types_supported"));
        Assert.Equal(["authorization_code", "client_credentials", "refresh_token"], Strings(discovery, "grant_types_supported").Order());
        Assert.Equal(["login", "none"], Strings(discovery, "prompt_values_supported").Order());
        Assert.Contains("client_secret_basic", Strings(discovery, "token_endpoint_auth_methods_supported"));
        Assert.Contains("client_secret_post", Strings(discovery, "token_endpoint_auth_methods_supported"));
        Assert.Contains("sid", Strings(discovery, "claims_supported"));
        Assert.Contains("amr", Strings(discovery, "claims_supported"));
        Assert.True(discovery.GetProperty("authorization_response_iss_parameter_supported").GetBoolean());
        foreach (var endpoint in new[] { "userinfo_endpoint", "introspection_endpoint", "revocation_endpoint", "end_session_endpoint" })
        {
            Assert.StartsWith(AuthServerFactory.PublicBaseUrl, discovery.GetProperty(endpoint).GetString());
        }
    }

    private static string[] Strings(JsonElement document, string property) =>
        document.GetProperty(property).EnumerateArray().Select(e => e.GetString()!).ToArray();
}

public sealed class ShortLivedTokensFixture : LoginServerFixture
{
    protected override IDictionary<string, string?> Settings
    {
        get
        {
            var settings = base.Settings;
            settings["Server:AccessTokenLifetime"] = "00:00:02";
            return settings;
        }
    }
}

public sealed class TokenExpiryTests(ShortLivedTokensFixture fixture) : IClassFixture<ShortLivedTokensFixture>
{
    [Fact]
    public async Task Expired_access_token_is_inactive_and_refused_by_userinfo()
    {
        var organization = await fixture.CreateOrganizationAsync(o => o.RedirectUris = [LoginServerFixture.Callback]);
        var oidc = new OidcDriver(fixture.Driver(), fixture.Outbox);
        var accessToken = (await oidc.TokensAsync(organization, "expiry@example.com")).GetProperty("access_token").GetString()!;
        Assert.True((await oidc.IntrospectAsync(organization, accessToken)).GetProperty("active").GetBoolean());

        await Task.Delay(TimeSpan.FromSeconds(3));

        Assert.False((await oidc.IntrospectAsync(organization, accessToken)).GetProperty("active").GetBoolean());
        var userInfo = new HttpRequestMessage(HttpMethod.Get, "/connect/userinfo");
        userInfo.Headers.Authorization = new("Bearer", accessToken);
        Assert.Equal(HttpStatusCode.Unauthorized, (await oidc.Client.SendAsync(userInfo)).StatusCode);
    }
}
