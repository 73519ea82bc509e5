using AuthServer.Features.Audit;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using AuthServer.Data.Entities;
using AuthServer.Features.Admin;
using AuthServer.Features.Organizations;
using AuthServer.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AuthServer.Tests.Foundation;

/// <summary>
/// The server in Production mode with SMTP configured, at the log levels it ships with: a full sign-in on
/// each face writes none of the secrets that went by (code, link token, authorization codes, tokens, client
/// secret, PKCE verifier, API key, cookies) to the log.
/// </summary>
public sealed partial class LogSecretsTests
{
    [Fact]
    public async Task A_full_sign_in_on_both_faces_logs_no_secret()
    {
        await using var database = await TestDatabase.CreateAsync();
        var capture = new LogCapture();
        await using var factory = new AuthServerFactory(database.ConnectionString, new Dictionary<string, string?>
        {
            ["Email:Smtp:Host"] = TestEnvironment.SmtpHost,
            ["Email:Smtp:Port"] = TestEnvironment.SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Email:Smtp:Security"] = "none",
        }, services => services.AddSingleton<ILoggerProvider>(capture)) { EnvironmentName = "Production" };
        var secrets = new List<string>();
        var cookies = new SetCookieRecorder(secrets);
        using var client = factory.CreateDefaultClient(new Uri(AuthServerFactory.PublicBaseUrl), cookies, new CookieContainerHandler());
        var login = new LoginDriver(client, new Outbox("/nonexistent"));
        var oidc = new OidcDriver(login, new Outbox("/nonexistent"));

        var organization = await CreateOrganizationAsync(factory, o => o.RedirectUris = [LoginServerFixture.Callback]);
        var linkOrganization = await CreateOrganizationAsync(factory, o => o.Settings.DefaultEmailLoginType = EmailLoginType.Link);
        secrets.AddRange([organization.Secret, linkOrganization.Secret, LoginDriver.Verifier, OidcDriver.Verifier]);
        List<string> codes = [];

        // CentralAuth face: page, emailed code, verify, userinfo, logout.
        var email = $"logs-{Guid.NewGuid():N}@example.com";
        var codePage = await login.SubmitEmailAsync(await login.OpenAsync(LoginDriver.LoginUrl(organization)), email);
        var code = await Maildev.WaitForCodeAsync(email);
        codes.Add(code);
        var done = await login.SubmitCodeAsync(codePage, code);
        Assert.Equal(HttpStatusCode.Redirect, done.Response.StatusCode);
        var authorizationCode = done.RedirectQuery["code"];
        var verify = await JsonAsync(await login.VerifyAsync(organization, authorizationCode));
        var accessToken = verify.GetProperty("access_token").GetString()!;
        secrets.AddRange([authorizationCode, accessToken, verify.GetProperty("id_token").GetString()!]);
        Assert.Equal(HttpStatusCode.OK, (await login.UserInfoAsync(organization, accessToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await login.LogoutAsync(organization, accessToken)).StatusCode);

        // CentralAuth face with an emailed link.
        var linkEmail = $"logs-link-{Guid.NewGuid():N}@example.com";
        await login.SubmitEmailAsync(await login.OpenAsync(LoginDriver.LoginUrl(linkOrganization)), linkEmail);
        var link = new Uri(LinkPattern().Match(await Maildev.WaitForTextAsync(linkEmail)).Value);
        secrets.Add(QueryHelpers.ParseQuery(link.Query)["token"].ToString());
        var followed = await login.FollowLinkAsync(link.PathAndQuery);
        Assert.Equal(HttpStatusCode.Redirect, followed.StatusCode);
        secrets.Add(QueryHelpers.ParseQuery(followed.Headers.Location!.Query)["code"].ToString());

        // OpenID Connect face: authorize through the hosted page, code, tokens, refresh, userinfo, introspection, revocation.
        var oidcEmail = $"logs-oidc-{Guid.NewGuid():N}@example.com";
        var toPage = await client.GetAsync(OidcDriver.AuthorizeUrl(organization));
        Assert.Equal(HttpStatusCode.Redirect, toPage.StatusCode);
        var oidcCodePage = await login.SubmitEmailAsync(await login.OpenAsync(toPage.Headers.Location!.ToString()), oidcEmail);
        var oidcCode = await Maildev.WaitForCodeAsync(oidcEmail);
        codes.Add(oidcCode);
        var signedIn = await login.SubmitCodeAsync(oidcCodePage, oidcCode);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.Response.StatusCode);
        var callback = await oidc.FollowAsync(signedIn.Response.Headers.Location!.ToString());
        var oidcAuthorizationCode = QueryHelpers.ParseQuery(callback.Headers.Location!.Query)["code"].ToString();
        var tokens = await JsonAsync(await oidc.RedeemAsync(organization, oidcAuthorizationCode));
        var refreshed = await JsonAsync(await oidc.RefreshAsync(organization, tokens.GetProperty("refresh_token").GetString()!));
        var oidcAccess = refreshed.GetProperty("access_token").GetString()!;
        secrets.AddRange([oidcAuthorizationCode, tokens.GetProperty("access_token").GetString()!, tokens.GetProperty("refresh_token").GetString()!,
            tokens.GetProperty("id_token").GetString()!, oidcAccess, refreshed.GetProperty("refresh_token").GetString()!]);
        using (var userinfo = new HttpRequestMessage(HttpMethod.Get, "/connect/userinfo"))
        {
            userinfo.Headers.Authorization = new AuthenticationHeaderValue("Bearer", oidcAccess);
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(userinfo)).StatusCode);
        }

        Assert.True((await oidc.IntrospectAsync(organization, oidcAccess)).GetProperty("active").GetBoolean());
        // Refusals log more than successes: a replayed code, a replayed refresh token, a wrong secret, a wrong code.
        Assert.False((await oidc.RedeemAsync(organization, oidcAuthorizationCode)).IsSuccessStatusCode);
        Assert.False((await oidc.RefreshAsync(organization, tokens.GetProperty("refresh_token").GetString()!)).IsSuccessStatusCode);
        var wrongSecret = new string('x', organization.Secret.Length);
        secrets.Add(wrongSecret);
        Assert.False((await oidc.TokenAsync(organization, new Dictionary<string, string> { ["grant_type"] = "client_credentials" }, secret: wrongSecret)).IsSuccessStatusCode);
        Assert.False((await login.VerifyAsync(organization, authorizationCode)).IsSuccessStatusCode);
        var clientCredentials = await JsonAsync(await oidc.TokenAsync(organization, new Dictionary<string, string> { ["grant_type"] = "client_credentials" }, basic: false));
        secrets.Add(clientCredentials.GetProperty("access_token").GetString()!);
        using (var revoke = new HttpRequestMessage(HttpMethod.Post, "/connect/revoke")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = refreshed.GetProperty("refresh_token").GetString()! }),
        })
        {
            revoke.Headers.Authorization = organization.Basic;
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(revoke)).StatusCode);
        }

        // Admin API with a key, including a refused wrong key.
        string apiKey;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            apiKey = (await scope.ServiceProvider.GetRequiredService<ApiKeyService>().CreateAsync("logs", null, AuditActor.CommandLine(), CancellationToken.None)).Value!.Key;
        }

        secrets.Add(apiKey);
        using (var mailLog = new HttpRequestMessage(HttpMethod.Get, "/api/v1/admin/mail_log"))
        {
            mailLog.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(mailLog)).StatusCode);
        }

        var wrongKey = apiKey[..^4] + "AAAA";
        secrets.Add(wrongKey);
        using (var refused = new HttpRequestMessage(HttpMethod.Get, "/api/v1/admin/mail_log"))
        {
            refused.Headers.Authorization = new AuthenticationHeaderValue("Bearer", wrongKey);
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(refused)).StatusCode);
        }

        // The capture works and saw the sign-in emails leave: the test can see a leak if there is one.
        Assert.Contains(capture.Entries, e => e.Contains("Sent email", StringComparison.Ordinal));
        Assert.True(cookies.Count >= 2, "The sign-ins set cookies (anti-forgery, SSO), whose values must not be logged either.");
        var log = capture.Text;
        Assert.All(secrets.Where(s => s.Length >= 8).Distinct(), secret => Assert.DoesNotContain(secret, log, StringComparison.Ordinal));
        // A 5-digit code is short: look for it as a whole token, not inside an id or a number.
        Assert.All(codes, c => Assert.DoesNotMatch($"(?<![0-9A-Za-z]){c}(?![0-9A-Za-z])", log));
    }

    private static async Task<TestOrganization> CreateOrganizationAsync(AuthServerFactory factory, Action<Organization> configure)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<OrganizationService>()
            .CreateAsync("Logs " + Guid.NewGuid().ToString("N")[..6], [LoginServerFixture.AppOrigin], configure, CancellationToken.None);
        return new TestOrganization(created.Organization.Id, created.Secret);
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    [GeneratedRegex(@"https?://\S+/login/link\?\S+")]
    private static partial Regex LinkPattern();

    /// <summary>Records the value of every cookie the server sets, as secrets the log must not show.</summary>
    private sealed class SetCookieRecorder(List<string> secrets) : DelegatingHandler
    {
        public int Count { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (response.Headers.TryGetValues("Set-Cookie", out var values))
            {
                foreach (var value in values.Select(v => v.Split(';')[0]).Where(v => v.Contains('=')))
                {
                    var cookieValue = value[(value.IndexOf('=') + 1)..];
                    if (cookieValue.Length > 0)
                    {
                        secrets.Add(cookieValue);
                        secrets.Add(Uri.UnescapeDataString(cookieValue));
                        Count++;
                    }
                }
            }

            return response;
        }
    }
}
