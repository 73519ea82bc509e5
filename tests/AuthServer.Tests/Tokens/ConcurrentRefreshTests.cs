using System.Net;
using System.Text.Json;
using AuthServer.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;

namespace AuthServer.Tests.Tokens;

/// <summary>A refresh token is single use under real concurrency: of several redemptions at once, one wins.</summary>
public sealed class ConcurrentRefreshTests(LoginServerFixture fixture) : IClassFixture<LoginServerFixture>
{
    [Fact]
    public async Task A_refresh_token_sent_four_times_at_once_rotates_once_and_the_losers_revoke_the_chain()
    {
        await RefreshRace.RunAsync(fixture, "race-direct@example.com");
    }
}

/// <summary>The race, shared by the direct test and the one behind PgBouncer.</summary>
public static class RefreshRace
{
    public static async Task RunAsync(LoginServerFixture fixture, string email)
    {
        var organization = await fixture.CreateOrganizationAsync(o => o.RedirectUris = [LoginServerFixture.Callback]);
        var oidc = new OidcDriver(fixture.Driver(), fixture.Outbox);
        var callback = await oidc.SignInAsync(OidcDriver.AuthorizeUrl(organization), email);
        var code = QueryHelpers.ParseQuery(callback.Headers.Location!.Query)["code"].ToString();
        var redeemed = await oidc.RedeemAsync(organization, code);
        Assert.Equal(HttpStatusCode.OK, redeemed.StatusCode);
        var refresh = JsonDocument.Parse(await redeemed.Content.ReadAsStringAsync()).RootElement.GetProperty("refresh_token").GetString()!;

        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => oidc.RefreshAsync(organization, refresh)));

        var statuses = string.Join(", ", answers.Select(a => (int)a.StatusCode));
        Assert.True(answers.Count(a => a.StatusCode == HttpStatusCode.OK) == 1, $"one rotation expected, answers: {statuses}");
        foreach (var refused in answers.Where(a => a.StatusCode != HttpStatusCode.OK))
        {
            await OidcDriver.AssertOAuthErrorAsync(refused, HttpStatusCode.BadRequest, "invalid_grant");
        }

        // A replay revokes the chain: the winner's new refresh token is dead too.
        var winner = JsonDocument.Parse(await answers.Single(a => a.StatusCode == HttpStatusCode.OK).Content.ReadAsStringAsync()).RootElement;
        await OidcDriver.AssertOAuthErrorAsync(await oidc.RefreshAsync(organization, winner.GetProperty("refresh_token").GetString()!), HttpStatusCode.BadRequest, "invalid_grant");
    }
}
