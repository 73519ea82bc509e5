using System.IdentityModel.Tokens.Jwt;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using AuthServer.Tests.Infrastructure;
using Microsoft.IdentityModel.Tokens;

namespace AuthServer.Tests.Tokens;

/// <summary>The discovery document promises exactly what the endpoints do.</summary>
public sealed class DiscoveryTests(LoginServerFixture fixture) : IClassFixture<LoginServerFixture>
{
    private OidcDriver Driver() => new(fixture.Driver(), fixture.Outbox);

    private async Task<JsonElement> DiscoveryAsync() =>
        JsonDocument.Parse(await Driver().Client.GetStringAsync("/.well-known/openid-configuration")).RootElement;

    private static string[] Strings(JsonElement document, string name) =>
        document.GetProperty(name).EnumerateArray().Select(e => e.GetString()!).Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public async Task Every_advertised_client_authentication_method_works_and_private_key_jwt_is_neither_advertised_nor_accepted()
    {
        var discovery = await DiscoveryAsync();
        var organization = await fixture.CreateOrganizationAsync(o => o.RedirectUris = [LoginServerFixture.Callback]);
        var oidc = Driver();

        foreach (var endpoint in new[] { "token_endpoint_auth_methods_supported", "introspection_endpoint_auth_methods_supported", "revocation_endpoint_auth_methods_supported" })
        {
            Assert.Equal(["client_secret_basic", "client_secret_post"], Strings(discovery, endpoint));
        }

        foreach (var method in Strings(discovery, "token_endpoint_auth_methods_supported"))
        {
            var response = await oidc.TokenAsync(organization, new Dictionary<string, string> { ["grant_type"] = "client_credentials" }, basic: method == "client_secret_basic");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // A signed client assertion, as private_key_jwt would send it: refused whatever key signed it.
        using var rsa = RSA.Create(2048);
        var assertion = new JwtSecurityTokenHandler().WriteToken(new JwtSecurityToken(
            issuer: organization.ClientId, audience: oidc.Client.BaseAddress + "connect/token",
            claims: [new("sub", organization.ClientId), new("jti", Guid.NewGuid().ToString())],
            expires: DateTime.UtcNow.AddMinutes(1),
            signingCredentials: new SigningCredentials(new RsaSecurityKey(rsa), SecurityAlgorithms.RsaSha256)));
        var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["client_id"] = organization.ClientId,
                ["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                ["client_assertion"] = assertion,
            }),
        };
        var refused = await oidc.Client.SendAsync(request);
        Assert.True(refused.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized, await refused.Content.ReadAsStringAsync());
        var error = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString();
        Assert.Contains(error, new[] { "invalid_client", "invalid_request" });
    }

    [Fact]
    public async Task Advertised_grants_scopes_and_pkce_methods_are_exactly_those_that_work()
    {
        var discovery = await DiscoveryAsync();

        Assert.Equal(["authorization_code", "client_credentials", "refresh_token"], Strings(discovery, "grant_types_supported"));
        Assert.Equal(["email", "offline_access", "openid", "profile"], Strings(discovery, "scopes_supported"));
        Assert.Equal(["S256"], Strings(discovery, "code_challenge_methods_supported"));
        Assert.Contains("updated_at", Strings(discovery, "claims_supported"));

        // A grant that is not advertised is refused.
        var organization = await fixture.CreateOrganizationAsync(o => o.RedirectUris = [LoginServerFixture.Callback]);
        var oidc = Driver();
        var password = await oidc.TokenAsync(organization, new Dictionary<string, string> { ["grant_type"] = "password", ["username"] = "a", ["password"] = "b" });
        await OidcDriver.AssertOAuthErrorAsync(password, HttpStatusCode.BadRequest, "unsupported_grant_type");
    }

    [Fact]
    public async Task The_profile_scope_releases_updated_at_in_the_id_token_and_at_userinfo()
    {
        var organization = await fixture.CreateOrganizationAsync(o => o.RedirectUris = [LoginServerFixture.Callback]);
        var oidc = Driver();
        var code = await oidc.CodeAsync(organization, "profile@example.com", OidcDriver.AuthorizeUrl(organization, scope: "openid profile"));
        var tokens = JsonDocument.Parse(await (await oidc.RedeemAsync(organization, code)).Content.ReadAsStringAsync()).RootElement;

        var idToken = new JwtSecurityTokenHandler().ReadJwtToken(tokens.GetProperty("id_token").GetString());
        var userInfo = JsonDocument.Parse(await (await Bearer.UserInfoAsync(oidc.Client, tokens.GetProperty("access_token").GetString())).Content.ReadAsStringAsync()).RootElement;

        var updated = long.Parse(idToken.Claims.Single(c => c.Type == "updated_at").Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(updated, DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
        Assert.Equal(updated, userInfo.GetProperty("updated_at").GetInt64());
        // Without the email scope, no email.
        Assert.DoesNotContain(idToken.Claims, c => c.Type == "email");
        Assert.False(userInfo.TryGetProperty("email", out _));
    }
}
