using System.Net;
using System.Text.Json;
using AuthServer.Tests.Infrastructure;

namespace AuthServer.Tests.CentralAuthApi;

/// <summary>POST /api/v1/client_check: the cheap check apps run at start-up and from their health check.</summary>
public sealed class ClientCheckTests(LoginServerFixture fixture) : IClassFixture<LoginServerFixture>
{
    private static readonly string CheckPath = "/api/v1/client_check?domain=" + Uri.EscapeDataString(LoginServerFixture.AppOrigin);

    [Fact]
    public async Task Right_credentials_and_a_whitelisted_origin_answer_the_organization_id()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();

        var response = await ApiFlows.PostAsync(driver, organization.Basic, CheckPath, null);

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        Assert.Equal(organization.ClientId, JsonDocument.Parse(text).RootElement.GetProperty("organizationId").GetString());
    }

    [Fact]
    public async Task A_wrong_secret_is_clientCredentialsInvalid()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();

        var response = await ApiFlows.PostAsync(driver, (organization with { Secret = new string('q', 32) }).Basic, CheckPath, null);

        await response.AssertErrorAsync(HttpStatusCode.Unauthorized, "clientCredentialsInvalid");
    }

    [Fact]
    public async Task No_credentials_is_tokenMissing_and_an_unknown_organization_is_organizationIdMissing()
    {
        using var driver = fixture.Driver();

        var none = await ApiFlows.PostAsync(driver, null, CheckPath, null);
        var unknown = await ApiFlows.PostAsync(driver, new TestOrganization(Guid.NewGuid(), new string('s', 32)).Basic, CheckPath, null);

        await none.AssertErrorAsync(HttpStatusCode.Unauthorized, "tokenMissing");
        await unknown.AssertErrorAsync(HttpStatusCode.BadRequest, "organizationIdMissing");
    }

    [Fact]
    public async Task An_origin_that_is_not_whitelisted_is_domainInvalid()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();

        var response = await ApiFlows.PostAsync(driver, organization.Basic, "/api/v1/client_check?domain=" + Uri.EscapeDataString("https://elsewhere.example"), null);

        await response.AssertErrorAsync(HttpStatusCode.BadRequest, "domainInvalid");
    }
}
