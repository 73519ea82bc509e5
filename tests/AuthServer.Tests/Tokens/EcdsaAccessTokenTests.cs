using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using AuthServer.Features.Tokens;
using AuthServer.Hosting;
using AuthServer.Tests.Infrastructure;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace AuthServer.Tests.Tokens;

/// <summary>A server that signs access tokens with ES256 (Tokens:AccessTokenSigningAlgorithm).</summary>
public sealed class EcdsaAccessTokenFixture : LoginServerFixture
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["Tokens:AccessTokenSigningAlgorithm"] = "ES256",
    };
}

/// <summary>
/// ES256 access tokens: every way the OpenID Connect face issues one (code, refresh through the direct rotation,
/// client_credentials) signs it with the key ring's P-256 key, which the JWKS publishes; ASP.NET Core's JwtBearer
/// handler, userinfo and introspection accept it; identity tokens and the discovery document stay RS256; a
/// forged ES256 signature is refused.
/// </summary>
public sealed class EcdsaAccessTokenTests(EcdsaAccessTokenFixture fixture) : IClassFixture<EcdsaAccessTokenFixture>
{
    private OidcDriver Driver() => new(fixture.Driver(), fixture.Outbox);

    [Fact]
    public async Task Every_access_token_is_ES256_and_a_JwtBearer_resource_server_userinfo_and_introspection_accept_it()
    {
        var organization = await fixture.CreateOrganizationAsync(o => o.RedirectUris = [LoginServerFixture.Callback]);
        var oidc = Driver();
        var ecKid = fixture.Factory.Services.GetRequiredService<ServerKeyRing>().EcSigningKey!.KeyId;

        var tokens = await oidc.TokensAsync(organization, "es256@example.com");
        var signedIn = tokens.GetProperty("access_token").GetString()!;
        var refreshed = await oidc.RefreshAsync(organization, tokens.GetProperty("refresh_token").GetString()!);
        var rotated = JsonDocument.Parse(await refreshed.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString()!;
        var machine = JsonDocument.Parse(await (await oidc.TokenAsync(organization, new Dictionary<string, string> { ["grant_type"] = "client_credentials" }))
            .Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString()!;

        foreach (var token in new[] { signedIn, rotated, machine })
        {
            var jwt = new JsonWebToken(token);
            Assert.Equal("ES256", jwt.Alg);
            Assert.Equal(ecKid, jwt.Kid);
            Assert.True((await oidc.IntrospectAsync(organization, token)).GetProperty("active").GetBoolean());
        }

        Assert.Equal("RS256", new JsonWebToken(tokens.GetProperty("id_token").GetString()!).Alg);
        Assert.Equal(HttpStatusCode.OK, (await Bearer.UserInfoAsync(oidc.Client, signedIn)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Bearer.UserInfoAsync(oidc.Client, rotated)).StatusCode);

        await using var relyingParty = await KeyRotationTests.StartRelyingPartyAsync(fixture.Factory.Server.CreateHandler());
        using var rp = relyingParty.GetTestClient();
        Assert.Equal(HttpStatusCode.OK, (await KeyRotationTests.CallAsync(rp, signedIn)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await KeyRotationTests.CallAsync(rp, rotated)).StatusCode);
    }

    [Fact]
    public async Task A_forged_ES256_signature_or_a_key_the_server_does_not_hold_is_refused()
    {
        var organization = await fixture.CreateOrganizationAsync(o => o.RedirectUris = [LoginServerFixture.Callback]);
        var oidc = Driver();
        var token = (await oidc.TokensAsync(organization, "es256-forged@example.com")).GetProperty("access_token").GetString()!;
        using var attacker = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        // The genuine header and claims, signed with another P-256 key under the server's key id.
        var otherKey = Bearer.Forge(token, _ => { }, input => attacker.SignData(input, HashAlgorithmName.SHA256));
        // The genuine signature with one bit flipped.
        var signature = Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlDecode(token.Split('.')[2]);
        signature[^1] ^= 1;
        var flipped = token[..token.LastIndexOf('.')] + "." + Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlEncode(signature);

        await using var relyingParty = await KeyRotationTests.StartRelyingPartyAsync(fixture.Factory.Server.CreateHandler());
        using var rp = relyingParty.GetTestClient();
        foreach (var forged in new[] { otherKey, flipped })
        {
            Bearer.AssertBearerChallenge(await Bearer.UserInfoAsync(oidc.Client, forged), tokenSent: true);
            Assert.False((await oidc.IntrospectAsync(organization, forged)).GetProperty("active").GetBoolean());
            Assert.Equal(HttpStatusCode.Unauthorized, (await KeyRotationTests.CallAsync(rp, forged)).StatusCode);
        }
    }

    [Fact]
    public async Task The_jwks_publishes_the_P256_key_and_discovery_still_says_identity_tokens_are_RS256()
    {
        using var client = fixture.CreateClient();
        var jwks = JsonDocument.Parse(await client.GetStringAsync("/.well-known/jwks")).RootElement.GetProperty("keys").EnumerateArray().ToList();
        var ec = Assert.Single(jwks, k => k.GetProperty("kty").GetString() == "EC");
        Assert.Equal("P-256", ec.GetProperty("crv").GetString());
        Assert.Equal("ES256", ec.GetProperty("alg").GetString());
        Assert.Equal("sig", ec.GetProperty("use").GetString());
        Assert.False(ec.TryGetProperty("d", out _)); // never the private part
        Assert.Single(jwks, k => k.GetProperty("kty").GetString() == "RSA");

        var discovery = JsonDocument.Parse(await client.GetStringAsync("/.well-known/openid-configuration")).RootElement;
        Assert.Equal(["RS256"], discovery.GetProperty("id_token_signing_alg_values_supported").EnumerateArray().Select(a => a.GetString()));
    }

    [Theory]
    [InlineData("RS256", true)]
    [InlineData("ES256", true)]
    [InlineData("HS256", false)]
    [InlineData("es256", false)]
    [InlineData("", false)]
    public void Only_RS256_and_ES256_are_accepted_as_the_access_token_algorithm(string algorithm, bool accepted)
    {
        var result = new TokenOptionsValidation().Validate(null, new TokenOptions { AccessTokenSigningAlgorithm = algorithm });

        Assert.Equal(accepted, result.Succeeded);
        if (!accepted)
        {
            Assert.Contains("Tokens:AccessTokenSigningAlgorithm", result.FailureMessage);
        }
    }

    [Fact]
    public async Task A_server_configured_with_another_algorithm_does_not_start()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var factory = new AuthServerFactory(database.ConnectionString, new Dictionary<string, string?> { ["Tokens:AccessTokenSigningAlgorithm"] = "HS256" });

        var failure = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        var validation = Assert.IsType<OptionsValidationException>(failure.GetBaseException() as OptionsValidationException ?? failure);
        Assert.Contains("Tokens:AccessTokenSigningAlgorithm", validation.Message);
    }
}
