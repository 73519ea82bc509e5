using AuthServer.Features.Audit;
using System.IdentityModel.Tokens.Jwt;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using AuthServer.Features.Admin;
using AuthServer.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace AuthServer.Tests.Tokens;

/// <summary>Short intervals so a rotation completes within a test: published 4 s before it signs, reloaded every second.</summary>
public sealed class KeyRotationFixture : LoginServerFixture
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["Tokens:KeyPublicationLeadTime"] = "00:00:04",
        ["Tokens:KeyRingRefreshInterval"] = "00:00:01",
    };
}

public sealed class KeyRotationTests(KeyRotationFixture fixture) : IClassFixture<KeyRotationFixture>
{
    private OidcDriver Driver() => new(fixture.Driver(), fixture.Outbox);

    private static string Kid(string jwt) => new JwtSecurityTokenHandler().ReadJwtToken(jwt).Header.Kid;

    private async Task<string[]> PublishedKidsAsync(HttpClient client) =>
        JsonDocument.Parse(await client.GetStringAsync("/.well-known/jwks")).RootElement.GetProperty("keys").EnumerateArray()
            .Select(k => k.GetProperty("kid").GetString()!).ToArray();

    /// <summary>Counts the relying party's requests for the key set: it must not need to fetch it again.</summary>
    private sealed class CountingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        public int JwksFetches;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri!.AbsolutePath.EndsWith("/jwks", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref JwksFetches);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }

    [Fact]
    public async Task A_JwtBearer_relying_party_that_cached_the_key_set_keeps_validating_old_and_new_tokens_through_a_rotation()
    {
        var organization = await fixture.CreateOrganizationAsync(o => o.RedirectUris = [LoginServerFixture.Callback]);
        var oidc = Driver();
        var before = (await oidc.TokensAsync(organization, "rotation@example.com")).GetProperty("access_token").GetString()!;
        var oldKid = Kid(before);

        // The admin API's rotation: the next key is published at once and signs from activatesAt on.
        string apiKey;
        await using (var scope = fixture.Factory.Services.CreateAsyncScope())
        {
            apiKey = (await scope.ServiceProvider.GetRequiredService<ApiKeyService>().CreateAsync("rotation", null, AuditActor.CommandLine(), CancellationToken.None)).Value!.Key;
        }

        var rotate = new HttpRequestMessage(HttpMethod.Post, "/api/v1/admin/keys/rotate");
        rotate.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        var rotated = await oidc.Client.SendAsync(rotate);
        var rotation = JsonDocument.Parse(await rotated.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var newKid = rotation.GetProperty("signingKeyId").GetString()!;
        Assert.NotEqual(oldKid, newKid);
        var published = await PublishedKidsAsync(oidc.Client);
        Assert.Contains(oldKid, published);
        Assert.Contains(newKid, published);
        // The P-256 key (Tokens:AccessTokenSigningAlgorithm=ES256) rotates with it: its next generation is published too.
        Assert.Equal(2, JsonDocument.Parse(await oidc.Client.GetStringAsync("/.well-known/jwks")).RootElement.GetProperty("keys").EnumerateArray()
            .Count(k => k.GetProperty("kty").GetString() == "EC"));
        // Not signing with it yet.
        Assert.Equal(oldKid, Kid(await MachineTokenAsync(oidc, organization)));

        // A resource server with ASP.NET Core's JwtBearer handler reads the key set now (during the lead time) and
        // never again: it does not refetch on an unknown key id.
        var counting = new CountingHandler(fixture.Factory.Server.CreateHandler());
        await using var relyingParty = await StartRelyingPartyAsync(counting);
        using var rp = relyingParty.GetTestClient();
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(rp, before)).StatusCode);

        // Once the lead time is over, new tokens are signed with the new key.
        var deadline = DateTime.UtcNow.AddSeconds(15);
        string after;
        while (Kid(after = await MachineTokenAsync(oidc, organization)) != newKid && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
        }

        Assert.Equal(newKid, Kid(after));
        var afterUser = (await oidc.TokensAsync(organization, "rotation-after@example.com")).GetProperty("access_token").GetString()!;
        Assert.Equal(newKid, Kid(afterUser));

        // The relying party validates both, from the key set it cached before the switch.
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(rp, afterUser)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(rp, after)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(rp, before)).StatusCode);
        Assert.Equal(1, counting.JwksFetches);
        // The old public key stays published (its tokens have not expired), and both introspect as active.
        Assert.Contains(oldKid, await PublishedKidsAsync(oidc.Client));
        Assert.True((await oidc.IntrospectAsync(organization, before)).GetProperty("active").GetBoolean());
        Assert.True((await oidc.IntrospectAsync(organization, afterUser)).GetProperty("active").GetBoolean());
        // A forged token is still refused by the relying party.
        Assert.Equal(HttpStatusCode.Unauthorized, (await CallAsync(rp, Bearer.Forge(afterUser, h => h["alg"] = "none", _ => []))).StatusCode);
    }

    [Fact]
    public async Task Rotation_needs_a_global_api_key()
    {
        var organization = await fixture.CreateOrganizationAsync();
        string apiKey;
        await using (var scope = fixture.Factory.Services.CreateAsyncScope())
        {
            apiKey = (await scope.ServiceProvider.GetRequiredService<ApiKeyService>().CreateAsync("scoped", organization.Id, AuditActor.CommandLine(), CancellationToken.None)).Value!.Key;
        }

        var rotate = new HttpRequestMessage(HttpMethod.Post, "/api/v1/admin/keys/rotate");
        rotate.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        var response = await Driver().Client.SendAsync(rotate);

        await response.AssertErrorAsync(HttpStatusCode.Forbidden, "noPermission");
    }

    private static async Task<string> MachineTokenAsync(OidcDriver oidc, TestOrganization organization)
    {
        var response = await oidc.TokenAsync(organization, new Dictionary<string, string> { ["grant_type"] = "client_credentials" });
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString()!;
    }

    internal static Task<HttpResponseMessage> CallAsync(HttpClient rp, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return rp.SendAsync(request);
    }

    /// <summary>A resource server with ASP.NET Core's JwtBearer handler, reading our discovery document and JWKS.</summary>
    internal static async Task<WebApplication> StartRelyingPartyAsync(HttpMessageHandler backchannel)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(options =>
        {
            options.MetadataAddress = AuthServerFactory.PublicBaseUrl + "/.well-known/openid-configuration";
            options.RequireHttpsMetadata = false;
            options.BackchannelHttpHandler = backchannel;
            options.RefreshOnIssuerKeyNotFound = false;
            options.MapInboundClaims = false;
            // Access tokens name no audience; the issuer and the signature are what a resource server checks here.
            options.TokenValidationParameters.ValidateAudience = false;
            options.TokenValidationParameters.ValidIssuer = AuthServerFactory.PublicBaseUrl + "/";
        });
        builder.Services.AddAuthorization();
        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/me", (HttpContext context) => context.User.FindFirst("sub")!.Value).RequireAuthorization();
        await app.StartAsync();
        return app;
    }
}
