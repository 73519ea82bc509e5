using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;

namespace AuthServer.AuthClientTests.Infrastructure;

/// <summary>
/// A browser over HTTP: keeps cookies (of the app and of the server, both on localhost), does not follow
/// redirects, and fills the server's login page like a person (email, then the code from the outbox).
/// </summary>
public sealed partial class Browser : IDisposable
{
    public const string TokenCookie = "authclient_token";
    public const string StateCookie = "authclient_state";
    public const string VerifierCookie = "authclient_verifier";

    private readonly ClientFixture _fixture;

    public Browser(ClientFixture fixture, string userAgent)
    {
        _fixture = fixture;
        Http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = Cookies });
        Http.DefaultRequestHeaders.UserAgent.ParseAdd(userAgent);
    }

    public CookieContainer Cookies { get; } = new();
    public HttpClient Http { get; }

    /// <summary>The session token the app keeps in its cookie.</summary>
    public string Token => Cookie(TokenCookie) ?? throw new InvalidOperationException("No token cookie: not signed in.");

    public string? Cookie(string name) => Cookies.GetAllCookies().FirstOrDefault(c => c.Name == name && !c.Expired)?.Value;

    public Task<HttpResponseMessage> GetAsync(string url, string? accept = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, Absolute(url));
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        return Http.SendAsync(request);
    }

    /// <summary>GET {app}/api/auth/login{query}: the app's redirect to the server's login page.</summary>
    public async Task<Uri> StartLoginAsync(string query = "", string prefix = "/api/auth")
    {
        var response = await GetAsync(prefix + "/login" + query);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.StartsWith(_fixture.ServerUrl + "/login?", location.ToString());
        return location;
    }

    /// <summary>Opens the login page and submits the email; the answer is the code page, or a redirect back to the app.</summary>
    public async Task<Page> SubmitEmailAsync(Uri loginPage, string email)
    {
        var page = await OpenAsync(loginPage);
        var response = await Http.PostAsync(_fixture.ServerUrl + "/login/email", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["request"] = page.Field("request"),
            ["__RequestVerificationToken"] = page.Field("__RequestVerificationToken"),
            ["email"] = email,
        }));
        return new Page(response, await response.Content.ReadAsStringAsync());
    }

    public async Task<Page> OpenAsync(Uri url)
    {
        var response = await Http.GetAsync(url);
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Login page: {(int)response.StatusCode} {html}");
        return new Page(response, html);
    }

    /// <summary>The whole person's part: login page, email, emailed code. Returns the server's redirect to the app's callback.</summary>
    public async Task<Uri> SignInToCallbackAsync(string email, string loginQuery = "") =>
        await CompleteLoginAsync(await StartLoginAsync(loginQuery), email);

    /// <summary>Signs in on a login page the app sent us to; returns the server's redirect to the app's callback.</summary>
    public async Task<Uri> CompleteLoginAsync(Uri loginPage, string email)
    {
        var codePage = await SubmitEmailAsync(loginPage, email);
        Assert.True(codePage.Response.StatusCode == HttpStatusCode.OK, $"Code page: {(int)codePage.Response.StatusCode} {codePage.Html}");
        var response = await Http.PostAsync(_fixture.ServerUrl + "/login/code", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["request"] = codePage.Field("request"),
            ["attempt"] = codePage.Field("attempt"),
            ["__RequestVerificationToken"] = codePage.Field("__RequestVerificationToken"),
            ["code"] = _fixture.Outbox.LatestCodeFor(email),
        }));
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"Expected the redirect to the app, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        var callback = response.Headers.Location!;
        Assert.StartsWith(_fixture.CallbackUrl + "?", callback.ToString());
        return callback;
    }

    /// <summary>Signs in and lets the app handle the callback; returns the app's answer to the callback.</summary>
    public async Task<HttpResponseMessage> SignInAsync(string email, string loginQuery = "") =>
        await GetAsync((await SignInToCallbackAsync(email, loginQuery)).ToString());

    /// <summary>The JSON a failed callback answers with (the test app's OnCallbackError).</summary>
    public static async Task<CallbackFailure> FailureOf(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"Expected a callback failure, got {(int)response.StatusCode}: {text}");
        return JsonSerializer.Deserialize<CallbackFailure>(text, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
    }

    public static IDictionary<string, string> QueryOf(Uri uri) =>
        QueryHelpers.ParseQuery(uri.Query).ToDictionary(p => p.Key, p => p.Value.ToString());

    /// <summary>The URL with one query parameter replaced (or removed when <paramref name="value"/> is null).</summary>
    public static string WithQuery(Uri uri, string name, string? value)
    {
        var query = QueryOf(uri);
        if (value is null)
        {
            query.Remove(name);
        }
        else
        {
            query[name] = value;
        }

        return QueryHelpers.AddQueryString(uri.GetLeftPart(UriPartial.Path), query!);
    }

    /// <summary>The Set-Cookie header for a cookie name.</summary>
    public static string SetCookie(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues("Set-Cookie", out var values)
            ? values.FirstOrDefault(v => v.StartsWith(name + "=", StringComparison.Ordinal)) ?? throw new InvalidOperationException($"No Set-Cookie for {name}.")
            : throw new InvalidOperationException("No Set-Cookie header.");

    public HttpRequestMessage Request(HttpMethod method, string url, string? bearer = null)
    {
        var request = new HttpRequestMessage(method, Absolute(url));
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return request;
    }

    public void Dispose() => Http.Dispose();

    private string Absolute(string url) => url.StartsWith("http", StringComparison.Ordinal) ? url : _fixture.AppUrl + url;

    public sealed record Page(HttpResponseMessage Response, string Html)
    {
        public string Field(string name)
        {
            var match = Regex.Match(Html, $"name=\"{Regex.Escape(name)}\" value=\"([^\"]*)\"");
            return match.Success ? WebUtility.HtmlDecode(match.Groups[1].Value) : throw new InvalidOperationException($"No field {name} in page: {Html}");
        }
    }
}
