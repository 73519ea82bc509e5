using System.Net;
using Microsoft.AspNetCore.WebUtilities;
using System.Net.Sockets;
using System.Security.Claims;
using System.Text.Json;
using AuthServer.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AuthServer.Tests.Connect;

/// <summary>
/// A real relying party: an ASP.NET Core app configured with Microsoft's OpenIdConnect handler (code flow,
/// PKCE, discovery from our server) signs a person in through our hosted page, email code included, gets
/// the expected claims, and signs out through end session.
/// </summary>
public sealed class RelyingPartyTests(KestrelServerFixture server) : IClassFixture<KestrelServerFixture>
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Aspnetcore_openidconnect_handler_signs_in_and_out_through_our_server(bool largeState)
    {
        var rpOrigin = $"http://localhost:{FreePort()}";
        var organization = await server.CreateOrganizationAsync("Relying Party Org", o =>
        {
            o.WhitelistedOrigins = [rpOrigin];
            o.RedirectUris = [rpOrigin + "/signin-oidc", rpOrigin + "/signout-callback-oidc"];
        });
        await using var rp = await StartRelyingPartyAsync(rpOrigin, organization, largeState);
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = cookies });
        var email = $"rp-{Guid.NewGuid():N}@example.com";

        // The handler protects its authentication properties into state: with properties added, well over 2 KB.
        var challenge = await browser.GetAsync(rpOrigin + "/protected");
        var state = QueryHelpers.ParseQuery(challenge.Headers.Location!.Query)["state"].ToString();
        Assert.True(largeState ? state.Length > 2048 : state.Length > 0, $"state of {state.Length} characters");

        // The app challenges; the browser lands on our login page.
        var response = await FollowAsync(browser, rpOrigin + "/protected", stopAt: "/login/");
        Assert.Contains("/login/resume", response.RequestMessage!.RequestUri!.ToString());
        var page = new LoginDriver.LoginPage(response, await response.Content.ReadAsStringAsync());
        var codePage = await PostFormAsync(browser, server.BaseUrl + "/login/email", new()
        {
            ["request"] = page.RequestId,
            ["__RequestVerificationToken"] = page.AntiforgeryToken,
            ["email"] = email,
        });
        var code = await Maildev.WaitForCodeAsync(email);
        var afterCode = await PostFormAsync(browser, server.BaseUrl + "/login/code", new()
        {
            ["request"] = codePage.RequestId,
            ["attempt"] = codePage.AttemptId,
            ["__RequestVerificationToken"] = codePage.AntiforgeryToken,
            ["code"] = code,
        });
        Assert.Equal(HttpStatusCode.Redirect, afterCode.Response.StatusCode);

        // Back through /connect/authorize to the app's callback, which redeems the code and signs the user in.
        var protectedPage = await FollowAsync(browser, Absolute(afterCode.Response.Headers.Location!));
        var body = await protectedPage.Content.ReadAsStringAsync();
        Assert.True(protectedPage.StatusCode == HttpStatusCode.OK, $"{protectedPage.StatusCode} {protectedPage.RequestMessage!.RequestUri}: {body}");
        var claims = JsonDocument.Parse(body).RootElement;
        Assert.Equal(email, claims.GetProperty("email").GetString());
        Assert.Equal("true", claims.GetProperty("email_verified").GetString());
        Assert.Equal("otp", claims.GetProperty("amr").GetString());
        Assert.True(Guid.TryParse(claims.GetProperty("sid").GetString(), out _));
        Assert.True(Guid.TryParse(claims.GetProperty("sub").GetString(), out _));

        // Sign out: the app sends the browser to end session, which returns to the app's signed-out callback.
        var signedOut = await FollowAsync(browser, rpOrigin + "/logout");
        Assert.Equal(rpOrigin + "/bye", signedOut.RequestMessage!.RequestUri!.ToString());
        var again = await browser.GetAsync(rpOrigin + "/protected");
        Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
        var authorize = await browser.GetAsync(again.Headers.Location!);
        Assert.Contains("/login/resume", authorize.Headers.Location!.ToString());

        string Absolute(Uri location) => location.IsAbsoluteUri ? location.ToString() : server.BaseUrl + location;
    }

    private async Task<WebApplication> StartRelyingPartyAsync(string origin, TestOrganization organization, bool largeState)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(origin);
        builder.Logging.ClearProviders();
        builder.Services.AddAuthentication(options =>
            {
                options.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                options.DefaultChallengeScheme = OpenIdConnectDefaults.AuthenticationScheme;
            })
            .AddCookie()
            .AddOpenIdConnect(options =>
            {
                options.Authority = server.BaseUrl;
                options.RequireHttpsMetadata = false; // the test server is plain http on localhost
                options.ClientId = organization.ClientId;
                options.ClientSecret = organization.Secret;
                options.ResponseType = "code";
                options.ResponseMode = "query";
                options.UsePkce = true;
                options.Scope.Add("email");
                options.MapInboundClaims = false;
                options.GetClaimsFromUserInfoEndpoint = true;
                options.SaveTokens = true;
                options.SignedOutCallbackPath = "/signout-callback-oidc";
                options.SignedOutRedirectUri = "/bye";
                // Plain http in the test: correlation cookies may not demand https.
                options.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.CorrelationCookie.SameSite = SameSiteMode.Lax;
                options.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.NonceCookie.SameSite = SameSiteMode.Lax;
                if (largeState)
                {
                    // Apps keep their own items in the properties (return URLs, tenant, flags), all inside state.
                    options.Events.OnRedirectToIdentityProvider = context =>
                    {
                        for (var i = 0; i < 20; i++)
                        {
                            context.Properties.Items[$"app-item-{i}"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(60));
                        }

                        return Task.CompletedTask;
                    };
                }
            });
        builder.Services.AddAuthorization();
        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/protected", (ClaimsPrincipal user) => Results.Json(user.Claims.GroupBy(c => c.Type).ToDictionary(g => g.Key, g => g.First().Value)))
            .RequireAuthorization();
        app.MapGet("/logout", () => Results.SignOut(new AuthenticationProperties { RedirectUri = "/bye" },
            [CookieAuthenticationDefaults.AuthenticationScheme, OpenIdConnectDefaults.AuthenticationScheme]));
        app.MapGet("/bye", () => "Signed out");
        await app.StartAsync();
        return app;
    }

    /// <summary>Follows redirects like a browser until a non-redirect answer (or a path starting with <paramref name="stopAt"/>).</summary>
    private static async Task<HttpResponseMessage> FollowAsync(HttpClient browser, string url, string? stopAt = null)
    {
        var response = await browser.GetAsync(url);
        for (var hops = 0; hops < 15 && (int)response.StatusCode is >= 300 and < 400; hops++)
        {
            var next = new Uri(response.RequestMessage!.RequestUri!, response.Headers.Location!);
            response = await browser.GetAsync(next);
            if (stopAt is not null && next.AbsolutePath.StartsWith(stopAt, StringComparison.Ordinal))
            {
                break;
            }
        }

        return response;
    }

    private static async Task<LoginDriver.LoginPage> PostFormAsync(HttpClient browser, string url, Dictionary<string, string> form)
    {
        var response = await browser.PostAsync(url, new FormUrlEncodedContent(form));
        return new LoginDriver.LoginPage(response, await response.Content.ReadAsStringAsync());
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
