using System.IdentityModel.Tokens.Jwt;
using System.Net;
using System.Text.Json;
using AuthServer.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenIddict.EntityFrameworkCore.Models;

namespace AuthServer.Tests.Connect;

public sealed class TokenEndpointTests(LoginServerFixture fixture) : IClassFixture<LoginServerFixture>
{
    private Task<TestOrganization> ClientAsync() => fixture.CreateOrganizationAsync(o => o.RedirectUris = [LoginServerFixture.Callback]);

    private OidcDriver Driver() => new(fixture.Driver(), fixture.Outbox);

    [Fact]
    public async Task Code_replay_is_invalid_grant()
    {
        var organization = await ClientAsync();
        var oidc = Driver();
        var code = await oidc.CodeAsync(organization, "replay@example.com");

        Assert.Equal(HttpStatusCode.OK, (await oidc.RedeemAsync(organization, code)).StatusCode);
        await OidcDriver.AssertOAuthErrorAsync(await oidc.RedeemAsync(organization, code), HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Fact]
    public async Task Missing_verifier_is_invalid_request_and_wrong_verifier_is_invalid_grant()
    {
        var organization = await ClientAsync();
        var oidc = Driver();
        var code = await oidc.CodeAsync(organization, "pkce@example.com");

        var missing = await oidc.TokenAsync(organization, new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = LoginServerFixture.Callback,
        });
        await OidcDriver.AssertOAuthErrorAsync(missing, HttpStatusCode.BadRequest, "invalid_request");

        var code2 = await oidc.CodeAsync(organization, "pkce@example.com");
        await OidcDriver.AssertOAuthErrorAsync(await oidc.RedeemAsync(organization, code2, verifier: "wrong-verifier-0123456789-abcdefghijklmnopqrstuvwxyz"), HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Fact]
    public async Task Plain_pkce_method_and_missing_challenge_go_back_to_the_client_as_invalid_request()
    {
        var organization = await ClientAsync();
        var oidc = Driver();

        var plain = await oidc.Client.GetAsync(OidcDriver.AuthorizeUrl(organization, challenge: OidcDriver.Verifier, method: "plain"));
        var missing = await oidc.Client.GetAsync(OidcDriver.AuthorizeUrl(organization, challenge: "", method: null));
        // RFC 7636 §4.4.1: the client and redirect URI are valid, so the error goes back to the client.
        foreach (var response in new[] { plain, missing })
        {
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            var query = QueryHelpers.ParseQuery(response.Headers.Location!.Query);
            Assert.Equal("invalid_request", query["error"].ToString());
            Assert.False(string.IsNullOrEmpty(query["error_description"]));
            Assert.True(query.ContainsKey("iss"));
        }
    }

    [Fact]
    public async Task Missing_state_is_refused_at_authorize()
    {
        var organization = await ClientAsync();
        var oidc = Driver();

        var response = await oidc.Client.GetAsync(OidcDriver.AuthorizeUrl(organization, state: null));

        Assert.Equal("invalid_request", QueryHelpers.ParseQuery(response.Headers.Location!.Query)["error"]);
    }

    [Fact]
    public async Task Unregistered_redirect_uri_and_unknown_client_never_redirect()
    {
        var organization = await ClientAsync();
        var oidc = Driver();

        // Same origin, other path: exact matching on this face.
        var mismatch = await oidc.Client.GetAsync(OidcDriver.AuthorizeUrl(organization, redirectUri: LoginServerFixture.AppOrigin + "/other"));
        var unknown = await oidc.Client.GetAsync(OidcDriver.AuthorizeUrl(new TestOrganization(Guid.NewGuid(), "x")));

        Assert.Equal(HttpStatusCode.BadRequest, mismatch.StatusCode);
        Assert.Null(mismatch.Headers.Location);
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Null(unknown.Headers.Location);
    }

    [Fact]
    public async Task Redirect_uri_mismatch_at_the_token_endpoint_is_invalid_grant()
    {
        var organization = await fixture.CreateOrganizationAsync(o => o.RedirectUris = [LoginServerFixture.Callback, LoginServerFixture.AppOrigin + "/other"]);
        var oidc = Driver();
        var code = await oidc.CodeAsync(organization, "mismatch@example.com");

        await OidcDriver.AssertOAuthErrorAsync(await oidc.RedeemAsync(organization, code, redirectUri: LoginServerFixture.AppOrigin + "/other"), HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Fact]
    public async Task Wrong_secret_and_unknown_client_are_invalid_client()
    {
        var organization = await ClientAsync();
        var oidc = Driver();
        var form = new Dictionary<string, string> { ["grant_type"] = "client_credentials" };

        await OidcDriver.AssertOAuthErrorAsync(await oidc.TokenAsync(organization, form, secret: "wrong-secret-wrong-secret-wrong!!"), HttpStatusCode.Unauthorized, "invalid_client");
        await OidcDriver.AssertOAuthErrorAsync(await oidc.TokenAsync(new TestOrganization(Guid.NewGuid(), organization.Secret), form), HttpStatusCode.Unauthorized, "invalid_client");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Client_credentials_with_basic_or_post_authentication_gives_a_jwt_access_token(bool basic)
    {
        var organization = await ClientAsync();
        var oidc = Driver();

        var response = await oidc.TokenAsync(organization, new Dictionary<string, string> { ["grant_type"] = "client_credentials" }, basic);

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        var token = new JwtSecurityTokenHandler().ReadJwtToken(JsonDocument.Parse(text).RootElement.GetProperty("access_token").GetString());
        Assert.Equal(organization.ClientId, token.Subject);
        Assert.Equal("RS256", token.Header.Alg);
        var introspection = await oidc.IntrospectAsync(organization, token.RawData);
        Assert.True(introspection.GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task Secret_rotation_pending_secret_is_accepted_on_the_token_endpoint()
    {
        var pending = "pending-secret-0123456789abcdefgh";
        var organization = await fixture.CreateOrganizationAsync(o =>
        {
            o.RedirectUris = [LoginServerFixture.Callback];
            o.PendingProtectedSecret = fixture.Factory.Services.GetService(typeof(AuthServer.Features.Organizations.OrganizationSecrets)) is AuthServer.Features.Organizations.OrganizationSecrets secrets ? secrets.Protect(pending) : null;
        });
        var oidc = Driver();

        var response = await oidc.TokenAsync(organization, new Dictionary<string, string> { ["grant_type"] = "client_credentials" }, secret: pending);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Refresh_tokens_rotate_and_reusing_an_old_one_revokes_the_chain()
    {
        var organization = await ClientAsync();
        var oidc = Driver();
        var first = await oidc.TokensAsync(organization, "refresh@example.com");
        var refresh1 = first.GetProperty("refresh_token").GetString()!;

        var second = JsonDocument.Parse(await (await oidc.RefreshAsync(organization, refresh1)).Content.ReadAsStringAsync()).RootElement;
        var refresh2 = second.GetProperty("refresh_token").GetString()!;
        Assert.NotEqual(refresh1, refresh2);

        // Reuse of the spent token: refused, and the newest token of the chain dies with it.
        await OidcDriver.AssertOAuthErrorAsync(await oidc.RefreshAsync(organization, refresh1), HttpStatusCode.BadRequest, "invalid_grant");
        await OidcDriver.AssertOAuthErrorAsync(await oidc.RefreshAsync(organization, refresh2), HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Fact]
    public async Task Access_and_identity_tokens_are_stateless_while_codes_and_refresh_tokens_are_stored()
    {
        var organization = await ClientAsync();
        var oidc = Driver();
        var machine = await oidc.TokenAsync(organization, new Dictionary<string, string> { ["grant_type"] = "client_credentials" });
        Assert.Equal(HttpStatusCode.OK, machine.StatusCode);
        var tokens = await oidc.TokensAsync(organization, "stateless@example.com");
        var refreshed = await oidc.RefreshAsync(organization, tokens.GetProperty("refresh_token").GetString()!);
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);

        var stored = await fixture.Factory.WithDbAsync(db => db.Set<OpenIddictEntityFrameworkCoreToken>()
            .Where(t => t.Application!.ClientId == organization.ClientId).Select(t => t.Type!).ToListAsync());

        Assert.Equal(2, stored.Count(t => t == OpenIddict.Abstractions.OpenIddictConstants.TokenTypeIdentifiers.RefreshToken));
        Assert.Single(stored, t => t.EndsWith("authorization_code", StringComparison.Ordinal));
        Assert.Equal(3, stored.Count);
        Assert.True((await oidc.IntrospectAsync(organization, tokens.GetProperty("access_token").GetString()!)).GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task Refresh_tokens_are_encrypted_with_the_servers_symmetric_key_and_older_rsa_encrypted_ones_still_redeem()
    {
        var organization = await ClientAsync();
        var oidc = Driver();
        var tokens = await oidc.TokensAsync(organization, "aes-refresh@example.com");
        var refresh = tokens.GetProperty("refresh_token").GetString()!;

        var header = new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(refresh);
        Assert.Equal("A256KW", header.Alg);
        Assert.Equal("A256CBC-HS512", header.Enc);

        // A refresh token from before the symmetric key (RSA-OAEP to the server's encryption key) keeps working:
        // re-encrypt this one's payload that way, as the server used to, and store it in place of the original.
        var keys = fixture.Factory.Services.GetRequiredService<AuthServer.Hosting.ServerKeyRing>();
        var handler = new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler();
        var inner = (await handler.ValidateTokenAsync(refresh, new Microsoft.IdentityModel.Tokens.TokenValidationParameters
        {
            TokenDecryptionKey = keys.TokenEncryptionKey, ValidateAudience = false, ValidateIssuer = false, ValidateLifetime = false,
            SignatureValidator = (token, _) => new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(token),
        })).SecurityToken as Microsoft.IdentityModel.JsonWebTokens.JsonWebToken;
        Assert.NotNull(inner?.InnerToken);
        var rsa = new Microsoft.IdentityModel.Tokens.EncryptingCredentials(keys.EncryptionKey, "RSA-OAEP", "A256CBC-HS512");
        var legacy = string.IsNullOrEmpty(header.Typ)
            ? handler.EncryptToken(inner!.InnerToken!.EncodedToken, rsa)
            : handler.EncryptToken(inner!.InnerToken!.EncodedToken, rsa, new Dictionary<string, object> { ["typ"] = header.Typ });
        Assert.Equal("RSA-OAEP", new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(legacy).Alg);

        var refreshed = await oidc.RefreshAsync(organization, legacy);

        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
    }

    [Fact]
    public async Task Codes_and_refresh_tokens_are_signed_with_hmac_while_access_tokens_stay_rsa_and_the_jwks_asymmetric()
    {
        var organization = await ClientAsync();
        var oidc = Driver();
        var keys = fixture.Factory.Services.GetRequiredService<AuthServer.Hosting.ServerKeyRing>();
        var code = await oidc.CodeAsync(organization, "hmac-refresh@example.com");
        // OpenIddict hands out codes by reference; the token itself is the row's payload.
        var codePayload = await fixture.Factory.WithDbAsync(db => db.Set<OpenIddictEntityFrameworkCoreToken>()
            .Where(t => t.Application!.ClientId == organization.ClientId && t.Type!.EndsWith("authorization_code")).Select(t => t.Payload!).SingleAsync());
        Assert.Equal("HS256", (await InnerTokenOfAsync(codePayload, keys)).Alg);
        var redeemed = await oidc.RedeemAsync(organization, code);
        var tokens = JsonDocument.Parse(await redeemed.Content.ReadAsStringAsync()).RootElement;
        var refresh = tokens.GetProperty("refresh_token").GetString()!;

        var inner = await InnerTokenOfAsync(refresh, keys);
        Assert.Equal("HS256", inner.Alg);
        Assert.Equal("RS256", new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(tokens.GetProperty("access_token").GetString()!).Alg);
        using var client = fixture.CreateClient();
        // The JWKS has the asymmetric keys only (RSA, and the P-256 one for Tokens:AccessTokenSigningAlgorithm=ES256), never the HMAC key.
        var jwks = JsonDocument.Parse(await client.GetStringAsync("/.well-known/jwks")).RootElement.GetProperty("keys");
        Assert.Equal(["EC", "RSA"], jwks.EnumerateArray().Select(key => key.GetProperty("kty").GetString()).Order());

        // The same refresh token signed with a key the server does not hold is refused; signed with the server's
        // RSA key, as refresh tokens were before, it still redeems.
        var forged = Resign(inner, new Microsoft.IdentityModel.Tokens.SigningCredentials(
            new Microsoft.IdentityModel.Tokens.SymmetricSecurityKey(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)) { KeyId = inner.Kid },
            "HS256"), refresh, keys);
        var refused = await oidc.RefreshAsync(organization, forged);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("invalid_grant", JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
        var older = Resign(inner, new Microsoft.IdentityModel.Tokens.SigningCredentials(keys.SigningKey, "RS256"), refresh, keys);
        Assert.Equal(HttpStatusCode.OK, (await oidc.RefreshAsync(organization, older)).StatusCode);
    }

    /// <summary>The signed token inside one of the server's encrypted tokens (its signature not checked).</summary>
    private static async Task<Microsoft.IdentityModel.JsonWebTokens.JsonWebToken> InnerTokenOfAsync(string token, AuthServer.Hosting.ServerKeyRing keys)
    {
        var validated = await new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler().ValidateTokenAsync(token, new Microsoft.IdentityModel.Tokens.TokenValidationParameters
        {
            TokenDecryptionKey = keys.TokenEncryptionKey, ValidateAudience = false, ValidateIssuer = false, ValidateLifetime = false,
            SignatureValidator = (jws, _) => new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(jws),
        });
        var inner = (validated.SecurityToken as Microsoft.IdentityModel.JsonWebTokens.JsonWebToken)?.InnerToken;
        Assert.True(inner is not null, validated.Exception?.Message);
        return inner;
    }

    /// <summary>The same claims and headers, signed with other credentials and encrypted as the server does.</summary>
    private static string Resign(Microsoft.IdentityModel.JsonWebTokens.JsonWebToken inner, Microsoft.IdentityModel.Tokens.SigningCredentials signing,
        string original, AuthServer.Hosting.ServerKeyRing keys)
    {
        var handler = new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        var payload = System.Text.Encoding.UTF8.GetString(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(inner.EncodedPayload));
        var signed = handler.CreateToken(payload, signing, new Dictionary<string, object> { ["typ"] = inner.Typ });
        var outer = new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(original);
        var aes = new Microsoft.IdentityModel.Tokens.EncryptingCredentials(keys.TokenEncryptionKey, "A256KW", "A256CBC-HS512");
        return string.IsNullOrEmpty(outer.Typ)
            ? handler.EncryptToken(signed, aes)
            : handler.EncryptToken(signed, aes, new Dictionary<string, object> { ["typ"] = outer.Typ });
    }

    [Fact]
    public async Task A_redirect_uri_change_applies_at_once_on_this_instance()
    {
        var organization = await ClientAsync();
        var oidc = Driver();
        var other = LoginServerFixture.AppOrigin + "/moved";
        // The first request loads the client into the process-wide application cache.
        Assert.Equal(HttpStatusCode.BadRequest, (await oidc.Client.GetAsync(OidcDriver.AuthorizeUrl(organization, redirectUri: other))).StatusCode);

        await using (var scope = fixture.Factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<AuthServer.Features.Organizations.OrganizationService>()
                .UpdateAsync(organization.Id, o => o.RedirectUris = [other], CancellationToken.None);
        }

        var moved = await oidc.Client.GetAsync(OidcDriver.AuthorizeUrl(organization, redirectUri: other));
        var old = await oidc.Client.GetAsync(OidcDriver.AuthorizeUrl(organization));
        Assert.Equal(HttpStatusCode.Redirect, moved.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, old.StatusCode);
        Assert.Null(old.Headers.Location);
    }
}
