using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using AuthServer.Features.Login;
using Microsoft.AspNetCore.WebUtilities;

namespace AuthServer.Tests.Infrastructure;

/// <summary>A browser-like client of the hosted login page over HTTP (cookies kept, redirects not followed).</summary>
public sealed partial class LoginDriver(HttpClient client, Outbox outbox) : IDisposable
{
    public const string Verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

    public HttpClient Client => client;

    public static string Challenge => Pkce.ChallengeOf(Verifier);

    public static string LoginUrl(TestOrganization organization, string? redirectUri = LoginServerFixture.Callback, string? state = "st-123",
        string? challenge = null, string? method = "S256", string? responseType = "code", IDictionary<string, string?>? extra = null)
    {
        var parameters = new Dictionary<string, string?>
        {
            ["client_id"] = organization.ClientId,
            ["redirect_uri"] = redirectUri,
            ["response_type"] = responseType,
            ["state"] = state,
            ["code_challenge"] = challenge ?? Challenge,
            ["code_challenge_method"] = method,
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            parameters[key] = value;
        }

        return QueryHelpers.AddQueryString("/login", parameters.Where(p => p.Value is not null).ToDictionary(p => p.Key, p => p.Value));
    }

    /// <summary>Opens the login page; returns the page (the request id and anti-forgery token are in it).</summary>
    public async Task<LoginPage> OpenAsync(string url)
    {
        var response = await client.GetAsync(url);
        return new LoginPage(response, await response.Content.ReadAsStringAsync());
    }

    public async Task<LoginPage> SubmitEmailAsync(LoginPage page, string email)
    {
        var response = await client.PostAsync("/login/email", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["request"] = page.RequestId,
            ["__RequestVerificationToken"] = page.AntiforgeryToken,
            ["email"] = email,
        }));
        return new LoginPage(response, await response.Content.ReadAsStringAsync());
    }

    public async Task<LoginPage> SubmitCodeAsync(LoginPage codePage, string code)
    {
        var response = await client.PostAsync("/login/code", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["request"] = codePage.RequestId,
            ["attempt"] = codePage.AttemptId,
            ["__RequestVerificationToken"] = codePage.AntiforgeryToken,
            ["code"] = code,
        }));
        return new LoginPage(response, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The whole browser part: page, email, code from the outbox, redirect. Returns the callback URL.</summary>
    public async Task<Uri> SignInAsync(TestOrganization organization, string email, string? url = null)
    {
        var page = await OpenAsync(url ?? LoginUrl(organization));
        var codePage = await SubmitEmailAsync(page, email);
        var done = await SubmitCodeAsync(codePage, outbox.LatestCodeFor(email));
        Assert.True(done.Response.StatusCode == HttpStatusCode.Redirect, $"Expected a redirect to the app, got {(int)done.Response.StatusCode}: {done.Html}");
        return done.Response.Headers.Location!;
    }

    /// <summary>GET of an emailed link: a page with one button, never a sign-in.</summary>
    public async Task<LoginPage> OpenLinkPageAsync(string link)
    {
        var response = await client.GetAsync(link);
        return new LoginPage(response, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Presses a button of a link's page (decision "continue" or "decline"), as that page's form posts it.</summary>
    public async Task<LoginPage> PostLinkAsync(LoginPage linkPage, string decision = "continue", string? token = null)
    {
        var response = await client.PostAsync("/login/link", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["attempt"] = linkPage.AttemptId,
            ["token"] = token ?? linkPage.Field("token"),
            ["form"] = linkPage.Field("form"),
            ["decision"] = decision,
        }));
        return new LoginPage(response, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Opens an emailed link and presses its main button: in the browser that asked for it, that signs in.</summary>
    public async Task<HttpResponseMessage> FollowLinkAsync(string link) => (await PostLinkAsync(await OpenLinkPageAsync(link))).Response;

    /// <summary>POST /api/v1/verify as the app does (multipart form).</summary>
    public Task<HttpResponseMessage> VerifyAsync(TestOrganization organization, string code, string redirectUri = LoginServerFixture.Callback, string verifier = Verifier)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/verify")
        {
            Content = new MultipartFormDataContent
            {
                { new StringContent(code), "code" },
                { new StringContent(redirectUri), "redirect_uri" },
                { new StringContent(verifier), "code_verifier" },
            },
        };
        request.Headers.Authorization = organization.Basic;
        return client.SendAsync(request);
    }

    /// <summary>Signs in and exchanges the code: the app's view after a successful login.</summary>
    public async Task<Tokens> SignInAndVerifyAsync(TestOrganization organization, string email)
    {
        var callback = await SignInAsync(organization, email);
        var code = QueryHelpers.ParseQuery(callback.Query)["code"].ToString();
        var response = await VerifyAsync(organization, code);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        var json = JsonDocument.Parse(text).RootElement;
        return new Tokens(json.GetProperty("access_token").GetString()!, json.GetProperty("id_token").GetString()!);
    }

    public Task<HttpResponseMessage> UserInfoAsync(TestOrganization organization, string accessToken, string? domain = LoginServerFixture.AppOrigin,
        string? ip = "203.0.113.7", string userAgent = "TestBrowser/1.0", string? deviceId = null) =>
        PostTokenAsync(organization, domain is null ? "/api/v1/userinfo" : $"/api/v1/userinfo?domain={Uri.EscapeDataString(domain)}", accessToken, ip, userAgent, deviceId);

    public Task<HttpResponseMessage> LogoutAsync(TestOrganization organization, string accessToken) =>
        PostTokenAsync(organization, "/api/v1/logout", accessToken, null, "TestBrowser/1.0", null);

    private Task<HttpResponseMessage> PostTokenAsync(TestOrganization organization, string path, string token, string? ip, string userAgent, string? deviceId)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(token, System.Text.Encoding.UTF8, "text/plain") };
        request.Headers.Authorization = organization.Basic;
        request.Headers.UserAgent.ParseAdd(userAgent);
        if (ip is not null)
        {
            request.Headers.Add("auth-ip", ip);
        }

        if (deviceId is not null)
        {
            request.Headers.Add("device-id", deviceId);
        }

        return client.SendAsync(request);
    }

    public void Dispose() => client.Dispose();

    public sealed record Tokens(string AccessToken, string IdToken);

    /// <summary>One answer of the login page.</summary>
    public sealed partial record LoginPage(HttpResponseMessage Response, string Html)
    {
        public string RequestId => Field("request");
        public string AttemptId => Field("attempt");
        public string AntiforgeryToken => Field("__RequestVerificationToken");

        /// <summary>The error shown on the page (role=alert), if any.</summary>
        public string? Error => ErrorPattern().Match(Html) is { Success: true } m ? WebUtility.HtmlDecode(m.Groups[1].Value) : null;

        public IDictionary<string, string> RedirectQuery =>
            QueryHelpers.ParseQuery(Response.Headers.Location?.Query).ToDictionary(p => p.Key, p => p.Value.ToString());

        public string Field(string name)
        {
            var match = Regex.Match(Html, $"name=\"{Regex.Escape(name)}\" value=\"([^\"]*)\"");
            return match.Success ? WebUtility.HtmlDecode(match.Groups[1].Value) : throw new InvalidOperationException($"No field {name} in page: {Html}");
        }

        [GeneratedRegex("role=\"alert\"[^>]*>(?:<p>)?([^<]*)<")]
        private static partial Regex ErrorPattern();
    }
}
