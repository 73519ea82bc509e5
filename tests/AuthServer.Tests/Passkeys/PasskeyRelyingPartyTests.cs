using AuthServer.Features.Passkeys;
using AuthServer.Hosting;
using AuthServer.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace AuthServer.Tests.Passkeys;

/// <summary>The relying party id and origins resolved from configuration, and the start-up check browsers would otherwise fail later.</summary>
public sealed class PasskeyRelyingPartyTests
{
    private static RelyingParty? Resolve(string publicBaseUrl, string? rpId = null, params string[] origins) =>
        RelyingParty.TryResolve(new ServerOptions { PublicBaseUrl = publicBaseUrl }, new PasskeyOptions { RelyingPartyId = rpId, Origins = [.. origins] });

    [Fact]
    public void Defaults_to_the_host_and_origin_of_the_public_base_url()
    {
        var relyingParty = Resolve("https://Auth.Example.com/base/");

        Assert.Equal("auth.example.com", relyingParty!.Id);
        Assert.Equal(["https://auth.example.com"], relyingParty.Origins);
    }

    [Fact]
    public void Accepts_a_parent_domain_and_several_origins_under_it()
    {
        var relyingParty = Resolve("https://auth.example.com", "example.com", "https://auth.example.com", "https://login.example.com:8443");

        Assert.Equal("example.com", relyingParty!.Id);
        Assert.Equal(2, relyingParty.Origins.Count);
        Assert.Contains("https://login.example.com:8443", relyingParty.Origins);
    }

    [Theory]
    [InlineData("other.example", null)]
    [InlineData("ample.com", null)]
    [InlineData(null, "https://auth.example.com/login")]
    [InlineData(null, "not a url")]
    [InlineData(null, "https://elsewhere.example")]
    public void Refuses_an_id_that_is_not_the_origins_host_or_a_parent_of_it(string? rpId, string? origin)
    {
        Assert.Null(Resolve("https://auth.example.com", rpId, origin is null ? [] : [origin]));
    }

    [Fact]
    public async Task Server_refuses_to_start_with_a_mismatched_relying_party_id()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var factory = new AuthServerFactory(database.ConnectionString, new Dictionary<string, string?> { ["Passkeys:RelyingPartyId"] = "other.example" });

        var failure = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        var validation = Assert.IsType<OptionsValidationException>(failure.GetBaseException() as OptionsValidationException ?? failure);
        Assert.Contains("Passkeys:RelyingPartyId", validation.Message);
    }
}
