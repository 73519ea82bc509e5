using System.Net;
using System.Text.Json;
using AuthServer.Tests.Infrastructure;

namespace AuthServer.Tests.Tokens;

/// <summary>An organization learns nothing about, and cannot end, another organization's tokens.</summary>
public sealed class TokenOwnershipTests(LoginServerFixture fixture) : IClassFixture<LoginServerFixture>
{
    private Task<TestOrganization> ClientAsync() => fixture.CreateOrganizationAsync(o => o.RedirectUris = [LoginServerFixture.Callback]);

    private OidcDriver Driver() => new(fixture.Driver(), fixture.Outbox);

    private static async Task<string> MachineTokenAsync(OidcDriver oidc, TestOrganization organization)
    {
        var response = await oidc.TokenAsync(organization, new Dictionary<string, string> { ["grant_type"] = "client_credentials" });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("access_token").GetString()!;
    }

    public static async Task<HttpResponseMessage> RevokeAsync(HttpClient client, TestOrganization organization, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/connect/revoke") { Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token }) };
        request.Headers.Authorization = organization.Basic;
        return await client.SendAsync(request);
    }

    [Fact]
    public async Task Another_organization_introspects_user_access_and_refresh_tokens_as_inactive_with_no_claims()
    {
        var owner = await ClientAsync();
        var other = await ClientAsync();
        var oidc = Driver();
        var tokens = await oidc.TokensAsync(owner, "owned@example.com");

        foreach (var token in new[] { tokens.GetProperty("access_token").GetString()!, tokens.GetProperty("refresh_token").GetString()! })
        {
            var foreign = await oidc.IntrospectAsync(other, token);
            Assert.False(foreign.GetProperty("active").GetBoolean());
            Assert.Single(foreign.EnumerateObject());
            Assert.True((await oidc.IntrospectAsync(owner, token)).GetProperty("active").GetBoolean());
        }
    }

    [Fact]
    public async Task Another_organization_introspects_a_client_credentials_token_as_inactive()
    {
        var owner = await ClientAsync();
        var other = await ClientAsync();
        var oidc = Driver();
        var token = await MachineTokenAsync(oidc, owner);

        var foreign = await oidc.IntrospectAsync(other, token);

        Assert.False(foreign.GetProperty("active").GetBoolean());
        Assert.Single(foreign.EnumerateObject());
        Assert.True((await oidc.IntrospectAsync(owner, token)).GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task Revocation_by_another_organization_is_a_silent_no_op()
    {
        var owner = await ClientAsync();
        var other = await ClientAsync();
        var oidc = Driver();
        var tokens = await oidc.TokensAsync(owner, "not-yours@example.com");
        var machine = await MachineTokenAsync(oidc, owner);
        var access = tokens.GetProperty("access_token").GetString()!;
        var refresh = tokens.GetProperty("refresh_token").GetString()!;

        foreach (var token in new[] { access, refresh, machine })
        {
            var response = await RevokeAsync(oidc.Client, other, token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("{}", (await response.Content.ReadAsStringAsync()).Trim());
        }

        foreach (var token in new[] { access, refresh, machine })
        {
            Assert.True((await oidc.IntrospectAsync(owner, token)).GetProperty("active").GetBoolean());
        }

        Assert.Equal(HttpStatusCode.OK, (await oidc.RefreshAsync(owner, refresh)).StatusCode);
    }
}
