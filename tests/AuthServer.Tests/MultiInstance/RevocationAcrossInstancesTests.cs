using System.Diagnostics;
using System.Net;
using System.Text.Json;
using AuthServer.Tests.Infrastructure;
using AuthServer.Tests.Tokens;

namespace AuthServer.Tests.MultiInstance;

/// <summary>A token revoked on one instance is refused by the other within the documented bound (Tokens:RevocationSyncInterval, 2 s).</summary>
public sealed class RevocationAcrossInstancesTests(TwoInstancesFixture fixture) : IClassFixture<TwoInstancesFixture>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(2) + TimeSpan.FromSeconds(2); // interval + a query and some slack

    private static HttpClient Client(ServerProcess instance) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() }) { BaseAddress = new Uri(instance.BaseUrl) };

    [Fact]
    public async Task Revoked_on_A_then_introspection_and_userinfo_on_B_refuse_within_the_bound()
    {
        var organization = await fixture.CreateOrganizationAsync(o => o.RedirectUris = [LoginServerFixture.Callback]);
        using var login = new LoginDriver(Client(fixture.A), fixture.Outbox);
        var onA = new OidcDriver(login, fixture.Outbox);
        var onB = new OidcDriver(new LoginDriver(Client(fixture.B), fixture.Outbox), fixture.Outbox);
        var user = (await onA.TokensAsync(organization, "two-instances-revoke@example.com")).GetProperty("access_token").GetString()!;
        var machineResponse = await onA.TokenAsync(organization, new Dictionary<string, string> { ["grant_type"] = "client_credentials" });
        var machine = JsonDocument.Parse(await machineResponse.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString()!;
        Assert.True((await onB.IntrospectAsync(organization, machine)).GetProperty("active").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, (await Bearer.UserInfoAsync(onB.Client, user)).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await TokenOwnershipTests.RevokeAsync(onA.Client, organization, machine)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await TokenOwnershipTests.RevokeAsync(onA.Client, organization, user)).StatusCode);
        var revoked = Stopwatch.StartNew();

        // At once on the instance that revoked.
        Assert.False((await onA.IntrospectAsync(organization, machine)).GetProperty("active").GetBoolean());
        Bearer.AssertBearerChallenge(await Bearer.UserInfoAsync(onA.Client, user), tokenSent: true);
        // Within the bound on the other one.
        // Note: B may poll between the two revocations and see the second one a poll later, still within the bound.
        while (((await onB.IntrospectAsync(organization, machine)).GetProperty("active").GetBoolean()
                || (await onB.IntrospectAsync(organization, user)).GetProperty("active").GetBoolean()) && revoked.Elapsed < Bound)
        {
            await Task.Delay(100);
        }

        Assert.False((await onB.IntrospectAsync(organization, machine)).GetProperty("active").GetBoolean(), $"Still active on B after {revoked.Elapsed}");
        Assert.False((await onB.IntrospectAsync(organization, user)).GetProperty("active").GetBoolean());
        Bearer.AssertBearerChallenge(await Bearer.UserInfoAsync(onB.Client, user), tokenSent: true);
        Assert.True(revoked.Elapsed < Bound, $"B took {revoked.Elapsed}");
    }
}
