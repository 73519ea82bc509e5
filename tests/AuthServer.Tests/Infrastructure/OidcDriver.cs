using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using AuthServer.Features.Login;
using Microsoft.AspNetCore.WebUtilities;

namespace AuthServer.Tests.Infrastructure;

/// <summary>A standard OpenID Connect client over HTTP: authorize through the hosted page, then the token endpoints.</summary>
public sealed class OidcDriver(LoginDriver login, Outbox outbox)
{
    public const string Verifier = "oidc-verifier-0123456789-abcdefghijklmnopqrstuvwxyz";

    public HttpClient Client => login.Client;

    public static string AuthorizeUrl(TestOrganization organization, string redirectUri = LoginServerFixture.Callback, string? state = "oidc-state",
        string? challenge = null, string? method = "S256", string scope = "openid email offline_access", IDictionary<string, string?>? extra = null)
    {
        var parameters = new Dictionary<string, string?>
        {
            ["client_id"] = organization.ClientId,
            ["redirect_uri"] = redirectUri,
            ["response_type"] = "code",
            ["scope"] = scope,
            ["state"] = state,
            ["nonce"] = "n-0S6_WzA2Mj",
            ["code_challenge"] = challenge ?? Pkce.ChallengeOf(Verifier),
            ["code_challenge_method"] = method,
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            parameters[key] = value;
        }

        return QueryHelpers.AddQueryString("/connect/authorize", parameters.Where(p => p.Value is not null).ToDictionary(p => p.Key, p => p.Value));
    }

    /// <summary>Follows redirects that stay on the server, returning the first response that leaves it (or is not a redirect).</summary>
    public async Task<HttpResponseMessage> FollowAsync(string url)
    {
        var response = await Client.GetAsync(url);
        for (var hops = 0; hops < 10 && response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found && IsLocal(response.Headers.Location!); hops++)
        {
            response = await Client.GetAsync(response.Headers.Location!.ToString());
        }

        return response;
    }

    /// <summary>Authorize with a sign-in on the hosted page; returns the final redirect to the client.</summary>
    public async Task<HttpResponseMessage> SignInAsync(string authorizeUrl, string email)
    {
        var toPage = await Client.GetAsync(authorizeUrl);
        Assert.True(toPage.StatusCode == HttpStatusCode.Redirect, $"Expected a redirect to the login page, got {(int)toPage.StatusCode}: {await toPage.Content.ReadAsStringAsync()}");
        if (!toPage.Headers.Location!.ToString().StartsWith("/login/", StringComparison.Ordinal))
        {
            // Single sign-on: this browser has a session already.
            return toPage;
        }

        var page = await login.OpenAsync(toPage.Headers.Location!.ToString());
        var codePage = await login.SubmitEmailAsync(page, email);
        var done = await login.SubmitCodeAsync(codePage, outbox.LatestCodeFor(email));
        Assert.True(done.Response.StatusCode == HttpStatusCode.Redirect, $"Login did not complete: {done.Html}");
        return await FollowAsync(done.Response.Headers.Location!.ToString());
    }

    public async Task<string> CodeAsync(TestOrganization organization, string email, string? url = null)
    {
        var response = await SignInAsync(url ?? AuthorizeUrl(organization), email);
        var query = QueryHelpers.ParseQuery(response.Headers.Location!.Query);
        Assert.True(query.ContainsKey("code"), $"No code in {response.Headers.Location}");
        return query["code"]!;
    }

    public Task<HttpResponseMessage> TokenAsync(TestOrganization organization, IDictionary<string, string> form, bool basic = true, string? secret = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token");
        var body = new Dictionary<string, string>(form);
        if (basic)
        {
            var credentials = $"{Uri.EscapeDataString(organization.ClientId)}:{Uri.EscapeDataString(secret ?? organization.Secret)}";
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        }
        else
        {
            body["client_id"] = organization.ClientId;
            body["client_secret"] = secret ?? organization.Secret;
        }

        request.Content = new FormUrlEncodedContent(body);
        return Client.SendAsync(request);
    }

    public Task<HttpResponseMessage> RedeemAsync(TestOrganization organization, string code, string verifier = Verifier, string redirectUri = LoginServerFixture.Callback) =>
        TokenAsync(organization, new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = redirectUri,
            ["code_verifier"] = verifier,
        });

    public Task<HttpResponseMessage> RefreshAsync(TestOrganization organization, string refreshToken) =>
        TokenAsync(organization, new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = refreshToken });

    public async Task<JsonElement> IntrospectAsync(TestOrganization organization, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/connect/introspect") { Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token }) };
        request.Headers.Authorization = organization.Basic;
        var response = await Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement;
    }

    public async Task<JsonElement> TokensAsync(TestOrganization organization, string email)
    {
        var response = await RedeemAsync(organization, await CodeAsync(organization, email));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement;
    }

    public static async Task AssertOAuthErrorAsync(HttpResponseMessage response, HttpStatusCode status, string error)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status} {error}, got {(int)response.StatusCode}: {text}");
        Assert.Equal(error, JsonDocument.Parse(text).RootElement.GetProperty("error").GetString());
    }

    /// <summary>Our own pages answer with relative redirects (or on localhost); the clients live elsewhere.</summary>
    private static bool IsLocal(Uri location) => !location.IsAbsoluteUri || location.Host == "localhost";
}
