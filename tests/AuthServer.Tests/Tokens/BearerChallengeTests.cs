using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AuthServer.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;

namespace AuthServer.Tests.Tokens;

/// <summary>Every 401 of a bearer-protected endpoint carries a `WWW-Authenticate: Bearer` challenge (RFC 6750 §3).</summary>
public sealed class BearerChallengeTests(LoginServerFixture fixture) : IClassFixture<LoginServerFixture>
{
    private OidcDriver Driver() => new(fixture.Driver(), fixture.Outbox);

    private async Task<(OidcDriver Oidc, string AccessToken)> SignedInAsync(string email)
    {
        var organization = await fixture.CreateOrganizationAsync(o => o.RedirectUris = [LoginServerFixture.Callback]);
        var oidc = Driver();
        var tokens = await oidc.TokensAsync(organization, email);
        return (oidc, tokens.GetProperty("access_token").GetString()!);
    }

    [Fact]
    public async Task Userinfo_without_a_token_challenges_with_bearer_and_no_error()
    {
        var response = await Bearer.UserInfoAsync(Driver().Client, null);

        Bearer.AssertBearerChallenge(response, tokenSent: false);
    }

    [Fact]
    public async Task Userinfo_with_a_malformed_token_challenges_with_invalid_token()
    {
        Bearer.AssertBearerChallenge(await Bearer.UserInfoAsync(Driver().Client, "not-a-jwt"), tokenSent: true);
    }

    [Fact]
    public async Task Userinfo_with_a_genuine_token_answers_and_with_its_signature_stripped_alg_none_challenges()
    {
        var (oidc, token) = await SignedInAsync("alg-none@example.com");
        Assert.Equal(HttpStatusCode.OK, (await Bearer.UserInfoAsync(oidc.Client, token)).StatusCode);

        var forged = Bearer.Forge(token, header => header["alg"] = "none", _ => []);

        Bearer.AssertBearerChallenge(await Bearer.UserInfoAsync(oidc.Client, forged), tokenSent: true);
    }

    [Fact]
    public async Task Userinfo_with_a_token_signed_HS256_with_our_public_key_challenges()
    {
        var (oidc, token) = await SignedInAsync("hs256@example.com");
        var jwks = JsonNode.Parse(await oidc.Client.GetStringAsync("/.well-known/jwks"))!["keys"]!.AsArray();
        var key = jwks.Single(k => k!["kid"]!.GetValue<string>() == Bearer.Header(token)["kid"]!.GetValue<string>())!;
        using var rsa = RSA.Create(new RSAParameters
        {
            Modulus = WebEncoders.Base64UrlDecode(key["n"]!.GetValue<string>()),
            Exponent = WebEncoders.Base64UrlDecode(key["e"]!.GetValue<string>()),
        });

        // The classic confusion: the verifier's public key (as PEM, and as the JWK text) used as an HMAC secret.
        foreach (var secret in new[] { Encoding.UTF8.GetBytes(rsa.ExportSubjectPublicKeyInfoPem()), Encoding.UTF8.GetBytes(key.ToJsonString()) })
        {
            var forged = Bearer.Forge(token, header => header["alg"] = "HS256", input => HMACSHA256.HashData(secret, input));
            Bearer.AssertBearerChallenge(await Bearer.UserInfoAsync(oidc.Client, forged), tokenSent: true);
        }
    }

    [Theory]
    [InlineData("unknown-kid")]
    [InlineData("jku")]
    [InlineData("x5u")]
    [InlineData("jwk")]
    public async Task Userinfo_with_a_token_signed_by_a_key_the_token_itself_points_to_challenges(string variant)
    {
        var (oidc, token) = await SignedInAsync($"{variant}@example.com");
        using var attacker = RSA.Create(2048);
        var parameters = attacker.ExportParameters(false);
        var attackerJwk = new JsonObject
        {
            ["kty"] = "RSA",
            ["kid"] = "attacker",
            ["n"] = WebEncoders.Base64UrlEncode(parameters.Modulus!),
            ["e"] = WebEncoders.Base64UrlEncode(parameters.Exponent!),
        };

        var forged = Bearer.Forge(token, header =>
        {
            header["kid"] = "attacker";
            switch (variant)
            {
                case "jku": header["jku"] = "https://attacker.example.com/jwks.json"; break;
                case "x5u": header["x5u"] = "https://attacker.example.com/cert.pem"; break;
                case "jwk": header["jwk"] = attackerJwk; break;
            }
        }, input => attacker.SignData(input, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

        Bearer.AssertBearerChallenge(await Bearer.UserInfoAsync(oidc.Client, forged), tokenSent: true);
    }

    [Fact]
    public async Task Userinfo_with_a_client_credentials_token_challenges_since_it_names_no_user()
    {
        var organization = await fixture.CreateOrganizationAsync(o => o.RedirectUris = [LoginServerFixture.Callback]);
        var oidc = Driver();
        var response = await oidc.TokenAsync(organization, new Dictionary<string, string> { ["grant_type"] = "client_credentials" });
        var token = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString();

        Bearer.AssertBearerChallenge(await Bearer.UserInfoAsync(oidc.Client, token), tokenSent: true);
    }
}

/// <summary>Requests and forged tokens shared by the bearer tests.</summary>
public static class Bearer
{
    public static async Task<HttpResponseMessage> UserInfoAsync(HttpClient client, string? token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/connect/userinfo");
        if (token is not null)
        {
            request.Headers.Authorization = new("Bearer", token);
        }

        return await client.SendAsync(request);
    }

    /// <summary>401 with a Bearer challenge; with `error="invalid_token"` when a token was sent.</summary>
    public static void AssertBearerChallenge(HttpResponseMessage response, bool tokenSent)
    {
        var body = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized && response.Headers.WwwAuthenticate.Count == 1,
            $"Expected a 401 with one challenge, got {(int)response.StatusCode} {response.Headers} {body}");
        var challenge = response.Headers.WwwAuthenticate.Single();
        Assert.Equal("Bearer", challenge.Scheme);
        if (tokenSent)
        {
            Assert.Contains("error=\"invalid_token\"", challenge.Parameter ?? "", StringComparison.Ordinal);
            Assert.Contains("error_description=", challenge.Parameter ?? "", StringComparison.Ordinal);
        }
        else
        {
            Assert.DoesNotContain("error=", challenge.Parameter ?? "", StringComparison.Ordinal);
        }
    }

    public static JsonObject Header(string token) => JsonNode.Parse(WebEncoders.Base64UrlDecode(token.Split('.')[0]))!.AsObject();

    /// <summary>The genuine token's payload under a changed header, signed by <paramref name="sign"/>.</summary>
    public static string Forge(string token, Action<JsonObject> changeHeader, Func<byte[], byte[]> sign)
    {
        var header = Header(token);
        changeHeader(header);
        var input = WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." + token.Split('.')[1];
        return input + "." + WebEncoders.Base64UrlEncode(sign(Encoding.ASCII.GetBytes(input)));
    }
}
