using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using AuthServer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;

namespace AuthServer.Tests.Tokens;

/// <summary>A login server whose log keeps the refresh rotation's debug lines, to tell which path answered.</summary>
public sealed class RefreshGrantFixture : LoginServerFixture
{
    public LogCapture Log { get; } = new();

    protected override IDictionary<string, string?> Settings
    {
        get
        {
            var settings = base.Settings;
            settings["Logging:LogLevel:AuthServer.Features.Tokens.Refresh"] = "Debug";
            return settings;
        }
    }

    protected override Action<IServiceCollection>? ConfigureServices => services => services.AddSingleton<ILoggerProvider>(Log);
}

/// <summary>
/// The direct refresh rotation (Features/Tokens/Refresh) beside OpenIddict's: a plain refresh request is rotated
/// without OpenIddict's pipeline, the tokens it issues are the ones OpenIddict issues (same claims, headers and
/// rows, each path redeems the other's), and every request it does not take gets OpenIddict's answer.
/// A `scope` parameter naming the granted scopes sends a request to OpenIddict: the direct path takes none.
/// </summary>
public sealed class RefreshGrantTests(RefreshGrantFixture fixture) : IClassFixture<RefreshGrantFixture>
{
    private const string GrantedScopes = "openid email offline_access";

    [Fact]
    public async Task A_plain_refresh_is_rotated_directly_with_the_same_tokens_openiddict_issues()
    {
        var (organization, oidc, first) = await SignedInAsync("direct-same@example.com");

        var direct = await JsonOkAsync(await oidc.RefreshAsync(organization, first));
        Assert.Contains(await RotatedLineAsync(first), fixture.Log.Text);
        var viaOpenIddict = await JsonOkAsync(await RefreshThroughOpenIddictAsync(oidc, organization, direct.GetProperty("refresh_token").GetString()!));
        Assert.DoesNotContain(await RotatedLineAsync(direct.GetProperty("refresh_token").GetString()!), fixture.Log.Text);

        // The answers: the same members (OpenIddict leaves out `scope` when the request named exactly the granted
        // scopes, RFC 6749 §5.1; without a scope parameter, as here, it is sent).
        Assert.Equal(Members(viaOpenIddict), Members(direct).Where(m => m != "scope"));
        Assert.Equal("Bearer", direct.GetProperty("token_type").GetString());
        Assert.Equal(GrantedScopes, direct.GetProperty("scope").GetString());
        Assert.InRange(direct.GetProperty("expires_in").GetInt64(), viaOpenIddict.GetProperty("expires_in").GetInt64() - 1, viaOpenIddict.GetProperty("expires_in").GetInt64() + 1);

        // The access tokens: same header, same claims with the same values but their ids and times.
        var ours = new JsonWebToken(direct.GetProperty("access_token").GetString());
        var theirs = new JsonWebToken(viaOpenIddict.GetProperty("access_token").GetString());
        Assert.Equal((theirs.Alg, theirs.Typ, theirs.Kid), (ours.Alg, ours.Typ, ours.Kid));
        Assert.Equal(ClaimsWithoutIdsAndTimes(theirs), ClaimsWithoutIdsAndTimes(ours));
        Assert.Equal(900, ours.ValidTo.Subtract(ours.IssuedAt).TotalSeconds);
        Assert.NotEqual(theirs.Id, ours.Id);

        // The refresh tokens: the same outer and inner headers.
        var ourRefresh = new JsonWebToken(direct.GetProperty("refresh_token").GetString());
        var theirRefresh = new JsonWebToken(viaOpenIddict.GetProperty("refresh_token").GetString());
        Assert.Equal((theirRefresh.Alg, theirRefresh.Enc, theirRefresh.Typ, theirRefresh.Kid), (ourRefresh.Alg, ourRefresh.Enc, ourRefresh.Typ, ourRefresh.Kid));
    }

    [Fact]
    public async Task A_directly_rotated_refresh_token_is_known_to_introspection_revocation_and_the_next_rotation()
    {
        var (organization, oidc, first) = await SignedInAsync("direct-known@example.com");
        var second = (await JsonOkAsync(await oidc.RefreshAsync(organization, first))).GetProperty("refresh_token").GetString()!;

        var introspected = await oidc.IntrospectAsync(organization, second);
        Assert.True(introspected.GetProperty("active").GetBoolean());
        Assert.Equal(organization.ClientId, introspected.GetProperty("client_id").GetString());
        // The directly rotated one rotates directly again.
        var third = (await JsonOkAsync(await oidc.RefreshAsync(organization, second))).GetProperty("refresh_token").GetString()!;
        Assert.Contains(await RotatedLineAsync(second), fixture.Log.Text);

        var revoke = new HttpRequestMessage(HttpMethod.Post, "/connect/revoke") { Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = third }) };
        revoke.Headers.Authorization = organization.Basic;
        Assert.Equal(HttpStatusCode.OK, (await oidc.Client.SendAsync(revoke)).StatusCode);
        await OidcDriver.AssertOAuthErrorAsync(await oidc.RefreshAsync(organization, third), HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Fact]
    public async Task A_replayed_token_gets_openiddicts_answer_and_the_chain_dies()
    {
        var (organization, oidc, first) = await SignedInAsync("direct-replay@example.com");
        var second = (await JsonOkAsync(await oidc.RefreshAsync(organization, first))).GetProperty("refresh_token").GetString()!;

        await OidcDriver.AssertOAuthErrorAsync(await oidc.RefreshAsync(organization, first), HttpStatusCode.BadRequest, "invalid_grant");
        Assert.Contains("was not valid for a rotation", fixture.Log.Text);
        await OidcDriver.AssertOAuthErrorAsync(await oidc.RefreshAsync(organization, second), HttpStatusCode.BadRequest, "invalid_grant");
    }

    [Fact]
    public async Task Form_client_authentication_is_rotated_directly_too()
    {
        var (organization, oidc, first) = await SignedInAsync("direct-form@example.com");

        await JsonOkAsync(await oidc.TokenAsync(organization, RefreshForm(first), basic: false));

        Assert.Contains(await RotatedLineAsync(first), fixture.Log.Text);
    }

    [Fact]
    public async Task A_wrong_client_secret_gets_invalid_client_and_the_token_survives()
    {
        var (organization, oidc, first) = await SignedInAsync("direct-secret@example.com");

        await OidcDriver.AssertOAuthErrorAsync(await oidc.TokenAsync(organization, RefreshForm(first), secret: "not-the-secret"), HttpStatusCode.Unauthorized, "invalid_client");
        await OidcDriver.AssertOAuthErrorAsync(await oidc.TokenAsync(organization, RefreshForm(first), basic: false, secret: "not-the-secret"), HttpStatusCode.Unauthorized, "invalid_client");

        await JsonOkAsync(await oidc.RefreshAsync(organization, first));
    }

    [Fact]
    public async Task Another_clients_refresh_token_gets_invalid_grant_and_survives()
    {
        var (organization, oidc, first) = await SignedInAsync("direct-other@example.com");
        var other = await fixture.CreateOrganizationAsync(o => o.RedirectUris = [LoginServerFixture.Callback]);

        await OidcDriver.AssertOAuthErrorAsync(await oidc.RefreshAsync(other, first), HttpStatusCode.BadRequest, "invalid_grant");

        await JsonOkAsync(await oidc.RefreshAsync(organization, first));
    }

    [Fact]
    public async Task Malformed_requests_get_openiddicts_errors()
    {
        var (organization, oidc, first) = await SignedInAsync("direct-malformed@example.com");

        // A repeated parameter.
        var repeated = new HttpRequestMessage(HttpMethod.Post, "/connect/token")
        {
            Content = new StringContent($"grant_type=refresh_token&refresh_token={Uri.EscapeDataString(first)}&refresh_token={Uri.EscapeDataString(first)}",
                Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        repeated.Headers.Authorization = organization.Basic;
        await OidcDriver.AssertOAuthErrorAsync(await oidc.Client.SendAsync(repeated), HttpStatusCode.BadRequest, "invalid_request");

        // Two client authentication methods at once.
        var both = RefreshForm(first);
        both["client_id"] = organization.ClientId;
        both["client_secret"] = organization.Secret;
        await OidcDriver.AssertOAuthErrorAsync(await oidc.TokenAsync(organization, both), HttpStatusCode.BadRequest, "invalid_request");

        // A token that is no token, and one cut short.
        await OidcDriver.AssertOAuthErrorAsync(await oidc.RefreshAsync(organization, "not-a-token"), HttpStatusCode.BadRequest, "invalid_grant");
        await OidcDriver.AssertOAuthErrorAsync(await oidc.RefreshAsync(organization, first[..^10]), HttpStatusCode.BadRequest, "invalid_grant");

        // A Basic header that is not base64.
        var broken = new HttpRequestMessage(HttpMethod.Post, "/connect/token") { Content = new FormUrlEncodedContent(RefreshForm(first)) };
        broken.Headers.Authorization = new AuthenticationHeaderValue("Basic", "%%%not-base64");
        var answer = await oidc.Client.SendAsync(broken);
        Assert.True(answer.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized, $"{(int)answer.StatusCode}");
        Assert.Contains(JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString(), new[] { "invalid_request", "invalid_client" });

        // None of these touched the token.
        await JsonOkAsync(await oidc.RefreshAsync(organization, first));
    }

    private async Task<(TestOrganization Organization, OidcDriver Oidc, string RefreshToken)> SignedInAsync(string email)
    {
        var organization = await fixture.CreateOrganizationAsync(o => o.RedirectUris = [LoginServerFixture.Callback]);
        var oidc = new OidcDriver(fixture.Driver(), fixture.Outbox);
        var tokens = await oidc.TokensAsync(organization, email);
        return (organization, oidc, tokens.GetProperty("refresh_token").GetString()!);
    }

    private static Dictionary<string, string> RefreshForm(string token) => new() { ["grant_type"] = "refresh_token", ["refresh_token"] = token };

    private static Task<HttpResponseMessage> RefreshThroughOpenIddictAsync(OidcDriver oidc, TestOrganization organization, string token) =>
        oidc.TokenAsync(organization, new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = token, ["scope"] = GrantedScopes });

    /// <summary>The debug line the direct path writes when it rotates this token (the id is inside the encrypted token).</summary>
    private async Task<string> RotatedLineAsync(string refreshToken)
    {
        var keys = fixture.Factory.Services.GetRequiredService<AuthServer.Hosting.ServerKeyRing>();
        var validated = await new JsonWebTokenHandler().ValidateTokenAsync(refreshToken, new Microsoft.IdentityModel.Tokens.TokenValidationParameters
        {
            TokenDecryptionKeys = keys.TokenDecryptionKeys, ValidateAudience = false, ValidateIssuer = false, ValidateLifetime = false,
            SignatureValidator = (jws, _) => new JsonWebToken(jws),
        });
        var id = (validated.SecurityToken as JsonWebToken)?.InnerToken?.GetPayloadValue<string>("oi_tkn_id");
        Assert.False(string.IsNullOrEmpty(id), validated.Exception?.Message);
        return $"Refresh token {id} rotated to";
    }

    private static string[] Members(JsonElement answer) => answer.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();

    private static string[] ClaimsWithoutIdsAndTimes(JsonWebToken token) => token.Claims
        .Where(c => c.Type is not ("jti" or "iat" or "exp"))
        .Select(c => $"{c.Type}={c.Value}").Order(StringComparer.Ordinal).ToArray();

    private static async Task<JsonElement> JsonOkAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Contains("no-cache", response.Headers.Pragma.ToString());
        return JsonDocument.Parse(text).RootElement;
    }
}
