using System.Net;
using System.Text.Json;
using AuthServer.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace AuthServer.Tests.Tokens;

/// <summary>Revoked tokens, and every token of a replayed code, die at once.</summary>
public sealed class RevocationTests(LoginServerFixture fixture) : IClassFixture<LoginServerFixture>
{
    private Task<TestOrganization> ClientAsync() => fixture.CreateOrganizationAsync(o => o.RedirectUris = [LoginServerFixture.Callback]);

    private OidcDriver Driver() => new(fixture.Driver(), fixture.Outbox);

    private async Task<bool> ActiveAsync(OidcDriver oidc, TestOrganization organization, string token) =>
        (await oidc.IntrospectAsync(organization, token)).GetProperty("active").GetBoolean();

    [Fact]
    public async Task A_revoked_access_token_fails_introspection_and_userinfo_while_its_session_lives_on()
    {
        var organization = await ClientAsync();
        var oidc = Driver();
        var tokens = await oidc.TokensAsync(organization, "revoke-access@example.com");
        var access = tokens.GetProperty("access_token").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await Bearer.UserInfoAsync(oidc.Client, access)).StatusCode);

        var revoke = await TokenOwnershipTests.RevokeAsync(oidc.Client, organization, access);

        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        Assert.False(await ActiveAsync(oidc, organization, access));
        Bearer.AssertBearerChallenge(await Bearer.UserInfoAsync(oidc.Client, access), tokenSent: true);
        // Only that token: the refresh token still works and its new access token is active.
        var refreshed = await oidc.RefreshAsync(organization, tokens.GetProperty("refresh_token").GetString()!);
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        var next = JsonDocument.Parse(await refreshed.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString()!;
        Assert.True(await ActiveAsync(oidc, organization, next));
        // The revocation is kept until the token's own expiry.
        var row = await fixture.Factory.WithDbAsync(db => db.RevokedTokens.SingleAsync(t => t.ExpiresAt > DateTimeOffset.UtcNow.AddMinutes(14) && t.Jti == Jti(access)));
        Assert.InRange(row.ExpiresAt, DateTimeOffset.UtcNow.AddMinutes(14), DateTimeOffset.UtcNow.AddMinutes(16));
    }

    [Fact]
    public async Task A_revoked_client_credentials_token_is_inactive()
    {
        var organization = await ClientAsync();
        var oidc = Driver();
        var response = await oidc.TokenAsync(organization, new Dictionary<string, string> { ["grant_type"] = "client_credentials" });
        var token = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString()!;
        Assert.True(await ActiveAsync(oidc, organization, token));

        Assert.Equal(HttpStatusCode.OK, (await TokenOwnershipTests.RevokeAsync(oidc.Client, organization, token)).StatusCode);

        Assert.False(await ActiveAsync(oidc, organization, token));
        // Revoking again is harmless (RFC 7009: an invalid token is not an error).
        Assert.Equal(HttpStatusCode.OK, (await TokenOwnershipTests.RevokeAsync(oidc.Client, organization, token)).StatusCode);
    }

    [Fact]
    public async Task Revoking_a_refresh_token_ends_its_chain_and_every_token_of_its_session()
    {
        var organization = await ClientAsync();
        var oidc = Driver();
        var first = await oidc.TokensAsync(organization, "revoke-refresh@example.com");
        var rotated = JsonDocument.Parse(await (await oidc.RefreshAsync(organization, first.GetProperty("refresh_token").GetString()!)).Content.ReadAsStringAsync()).RootElement;
        var refresh = rotated.GetProperty("refresh_token").GetString()!;
        var access = first.GetProperty("access_token").GetString()!;

        Assert.Equal(HttpStatusCode.OK, (await TokenOwnershipTests.RevokeAsync(oidc.Client, organization, refresh)).StatusCode);

        Assert.False(await ActiveAsync(oidc, organization, refresh));
        Assert.False(await ActiveAsync(oidc, organization, access));
        Assert.False(await ActiveAsync(oidc, organization, rotated.GetProperty("access_token").GetString()!));
        Bearer.AssertBearerChallenge(await Bearer.UserInfoAsync(oidc.Client, access), tokenSent: true);
        await OidcDriver.AssertOAuthErrorAsync(await oidc.RefreshAsync(organization, refresh), HttpStatusCode.BadRequest, "invalid_grant");
        var reason = await fixture.Factory.WithDbAsync(db => db.Sessions.Where(s => s.User!.NormalizedEmail == "revoke-refresh@example.com").Select(s => s.EndReason).SingleAsync());
        Assert.Equal("token_revoked", reason);
    }

    [Fact]
    public async Task A_replayed_code_ends_its_session_so_the_first_redemptions_tokens_die_at_once()
    {
        var organization = await ClientAsync();
        var oidc = Driver();
        var code = await oidc.CodeAsync(organization, "code-replay@example.com");
        var first = await oidc.RedeemAsync(organization, code);
        var tokens = JsonDocument.Parse(await first.Content.ReadAsStringAsync()).RootElement;
        var access = tokens.GetProperty("access_token").GetString()!;
        Assert.True(await ActiveAsync(oidc, organization, access));

        await OidcDriver.AssertOAuthErrorAsync(await oidc.RedeemAsync(organization, code), HttpStatusCode.BadRequest, "invalid_grant");

        Assert.False(await ActiveAsync(oidc, organization, access));
        Bearer.AssertBearerChallenge(await Bearer.UserInfoAsync(oidc.Client, access), tokenSent: true);
        await OidcDriver.AssertOAuthErrorAsync(await oidc.RefreshAsync(organization, tokens.GetProperty("refresh_token").GetString()!), HttpStatusCode.BadRequest, "invalid_grant");
        var reason = await fixture.Factory.WithDbAsync(db => db.Sessions.Where(s => s.User!.NormalizedEmail == "code-replay@example.com").Select(s => s.EndReason).SingleAsync());
        Assert.Equal("code_reused", reason);
    }

    [Fact]
    public async Task Twenty_parallel_redemptions_of_one_code_give_exactly_one_set_of_tokens()
    {
        var organization = await ClientAsync();
        var oidc = Driver();
        var code = await oidc.CodeAsync(organization, "parallel-code@example.com");
        // Separate connections, released together: the requests really overlap on the server and in PostgreSQL.
        var clients = Enumerable.Range(0, 20).Select(_ => fixture.CreateClient()).ToList();
        using var start = new SemaphoreSlim(0);
        var redemptions = clients.Select(async client =>
        {
            await start.WaitAsync();
            return await new OidcDriver(new LoginDriver(client, fixture.Outbox), fixture.Outbox).RedeemAsync(organization, code);
        }).ToList();
        start.Release(20);
        var responses = await Task.WhenAll(redemptions);

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.OK), r => Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode));
        foreach (var client in clients)
        {
            client.Dispose();
        }
    }

    private static string Jti(string jwt) => new System.IdentityModel.Tokens.Jwt.JwtSecurityTokenHandler().ReadJwtToken(jwt).Id;
}
