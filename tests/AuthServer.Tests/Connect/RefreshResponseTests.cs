using System.IdentityModel.Tokens.Jwt;
using System.Net;
using System.Text.Json;
using AuthServer.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;

namespace AuthServer.Tests.Connect;

/// <summary>
/// What a refresh answers: a rotated refresh token and a new access token for the same session, and an identity
/// token only when Tokens:IdentityTokenOnRefresh asks for one (OpenID Connect Core §12.2 lets it be omitted).
/// </summary>
public sealed class RefreshResponseTests(LoginServerFixture fixture) : IClassFixture<LoginServerFixture>
{
    [Fact]
    public async Task Refresh_rotates_and_omits_the_identity_token_by_default()
    {
        var (first, refreshed) = await SignInAndRefreshAsync(fixture, "refresh-default@example.com");

        Assert.False(refreshed.TryGetProperty("id_token", out _));
        Assert.NotEqual(first.GetProperty("refresh_token").GetString(), refreshed.GetProperty("refresh_token").GetString());
        var before = new JwtSecurityTokenHandler().ReadJwtToken(first.GetProperty("access_token").GetString());
        var after = new JwtSecurityTokenHandler().ReadJwtToken(refreshed.GetProperty("access_token").GetString());
        Assert.Equal(before.Subject, after.Subject);
        Assert.Equal(before.Claims.Single(c => c.Type == "sid").Value, after.Claims.Single(c => c.Type == "sid").Value);
    }

    internal static async Task<(JsonElement First, JsonElement Refreshed)> SignInAndRefreshAsync(LoginServerFixture fixture, string email)
    {
        var organization = await fixture.CreateOrganizationAsync(o => o.RedirectUris = [LoginServerFixture.Callback]);
        var oidc = new OidcDriver(fixture.Driver(), fixture.Outbox);
        var callback = await oidc.SignInAsync(OidcDriver.AuthorizeUrl(organization), email);
        var code = QueryHelpers.ParseQuery(callback.Headers.Location!.Query)["code"].ToString();
        var first = await JsonOkAsync(await oidc.RedeemAsync(organization, code));
        Assert.True(first.TryGetProperty("id_token", out _));
        var refreshed = await JsonOkAsync(await oidc.RefreshAsync(organization, first.GetProperty("refresh_token").GetString()!));
        return (first, refreshed);
    }

    private static async Task<JsonElement> JsonOkAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement;
    }
}

public sealed class IdentityTokenOnRefreshFixture : LoginServerFixture
{
    protected override IDictionary<string, string?> Settings
    {
        get
        {
            var settings = base.Settings;
            settings["Tokens:IdentityTokenOnRefresh"] = "true";
            return settings;
        }
    }
}

public sealed class IdentityTokenOnRefreshTests(IdentityTokenOnRefreshFixture fixture) : IClassFixture<IdentityTokenOnRefreshFixture>
{
    [Fact]
    public async Task With_the_setting_the_refresh_answer_carries_an_identity_token_for_the_same_person()
    {
        var (first, refreshed) = await RefreshResponseTests.SignInAndRefreshAsync(fixture, "refresh-idtoken@example.com");

        var original = new JwtSecurityTokenHandler().ReadJwtToken(first.GetProperty("id_token").GetString());
        var renewed = new JwtSecurityTokenHandler().ReadJwtToken(refreshed.GetProperty("id_token").GetString());
        Assert.Equal(original.Subject, renewed.Subject);
        Assert.Equal(original.Audiences.Single(), renewed.Audiences.Single());
        Assert.Equal(original.Claims.Single(c => c.Type == "auth_time").Value, renewed.Claims.Single(c => c.Type == "auth_time").Value);
    }
}
