using AuthServer.Tests.Passkeys;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AuthServer.Features.Login;
using AuthServer.Features.Login.Email;
using Microsoft.AspNetCore.WebUtilities;

namespace AuthServer.Bench;

public static class Http
{
    /// <summary>One pooled client for a whole run: keep-alive connections, no automatic cookies or redirects (each flow keeps its own).</summary>
    public static HttpClient NewClient(string baseUrl, int concurrency) => new(new SocketsHttpHandler
    {
        UseCookies = false,
        AllowAutoRedirect = false,
        MaxConnectionsPerServer = Math.Max(1, concurrency),
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        UseProxy = false,
    })
    {
        BaseAddress = new Uri(baseUrl),
        Timeout = TimeSpan.FromSeconds(30),
    };
}

/// <summary>Latencies per step of a multi-request operation.</summary>
public interface IStepRecorder
{
    void Record(string step, double milliseconds);
}

/// <summary>
/// One browser walking the hosted login page as a person would (the same requests as
/// tests/AuthServer.Tests/Infrastructure/LoginDriver.cs and OidcDriver.cs): its own cookies, its own client IP,
/// the code read from the server's outbox.
/// </summary>
public sealed partial class BrowserFlow(HttpClient http, OutboxReader outbox, BenchOrganization organization, string clientIp)
{
    public const string Verifier = "bench-verifier-0123456789-abcdefghijklmnopqrstuvwxyz";
    private static readonly string Challenge = Pkce.ChallengeOf(Verifier);

    private readonly Dictionary<string, string> cookies = new(StringComparer.Ordinal);

    /// <summary>
    /// CentralAuth face: GET /login, POST /login/email, the code from the outbox, POST /login/code, then the
    /// app's POST /api/v1/verify. Returns the session's access token.
    /// </summary>
    public async Task<string> CentralAuthSignInAsync(string email, IStepRecorder? recorder)
    {
        var loginUrl = LoginUrl();
        var page = await PageAsync("page", HttpMethod.Get, loginUrl, null, HttpStatusCode.OK, recorder);
        var codePage = await SubmitEmailAsync(page, email, recorder);
        var done = await SubmitCodeAsync(codePage, await outbox.CodeForAsync(email), recorder);
        var code = QueryHelpers.ParseQuery(done.Location.Query)["code"].ToString();
        if (string.IsNullOrEmpty(code))
        {
            throw new BenchException($"code: no code in the redirect {done.Location}");
        }

        return await VerifyAsync(code, recorder);
    }

    /// <summary>The app's POST /api/v1/verify of a code: returns the session's access token.</summary>
    private async Task<string> VerifyAsync(string code, IStepRecorder? recorder)
    {
        var verify = new HttpRequestMessage(HttpMethod.Post, "/api/v1/verify")
        {
            Content = new MultipartFormDataContent
            {
                { new StringContent(code), "code" },
                { new StringContent(BenchOrganization.Callback), "redirect_uri" },
                { new StringContent(Verifier), "code_verifier" },
            },
        };
        verify.Headers.TryAddWithoutValidation("Authorization", organization.Basic);
        var json = await JsonAsync("verify", verify, recorder);
        return json.GetProperty("access_token").GetString() ?? throw new BenchException("verify: no access_token");
    }

    private string LoginUrl() => QueryHelpers.AddQueryString("/login", new Dictionary<string, string?>
    {
        ["client_id"] = organization.ClientId,
        ["redirect_uri"] = BenchOrganization.Callback,
        ["response_type"] = "code",
        ["state"] = "bench-state",
        ["code_challenge"] = Challenge,
        ["code_challenge_method"] = "S256",
    });

    /// <summary>
    /// The login page's "Register a new passkey": page, email with intent=passkey, the code from the outbox,
    /// POST /login/passkey/register/options, the authenticator's answer, POST /login/passkey/register.
    /// </summary>
    public async Task RegisterPasskeyAsync(string email, SoftwareAuthenticator authenticator)
    {
        var page = await PageAsync("page", HttpMethod.Get, LoginUrl(), null, HttpStatusCode.OK, null);
        var codePage = await PageAsync("email", HttpMethod.Post, "/login/email", new Dictionary<string, string>
        {
            ["request"] = page.Field("request"),
            ["__RequestVerificationToken"] = page.Field("__RequestVerificationToken"),
            ["email"] = email,
            ["intent"] = "passkey",
        }, HttpStatusCode.OK, null);
        var options = await PasskeyJsonAsync("register-options", codePage, "/login/passkey/register/options",
            new JsonObject { ["attempt"] = codePage.Field("attempt"), ["code"] = await outbox.CodeForAsync(email) }, null);
        await PasskeyJsonAsync("register", codePage, "/login/passkey/register", new JsonObject
        {
            ["ceremony"] = options.GetProperty("ceremony").GetString(),
            ["credential"] = JsonNode.Parse(authenticator.Register(options.GetProperty("options"))),
        }, null);
    }

    /// <summary>
    /// Scenario 5, one passkey sign-in: the login page, POST /login/passkey/options, the authenticator's assertion,
    /// POST /login/passkey/verify, then the app's POST /api/v1/verify of the code. Returns the session's access token.
    /// </summary>
    public async Task<string> PasskeySignInAsync(SoftwareAuthenticator authenticator, IStepRecorder? recorder)
    {
        var page = await PageAsync("page", HttpMethod.Get, LoginUrl(), null, HttpStatusCode.OK, recorder);
        var options = await PasskeyJsonAsync("options", page, "/login/passkey/options", new JsonObject { ["request"] = page.Field("request") }, recorder);
        var done = await PasskeyJsonAsync("assertion", page, "/login/passkey/verify", new JsonObject
        {
            ["ceremony"] = options.GetProperty("ceremony").GetString(),
            ["credential"] = JsonNode.Parse(authenticator.Assert(options.GetProperty("options"))),
        }, recorder);
        var redirect = new Uri(done.GetProperty("redirectUrl").GetString() ?? throw new BenchException("passkey: no redirectUrl"));
        var code = QueryHelpers.ParseQuery(redirect.Query)["code"].ToString();
        if (string.IsNullOrEmpty(code))
        {
            throw new BenchException($"passkey: no code in {redirect}");
        }

        return await VerifyAsync(code, recorder);
    }

    /// <summary>A JSON post of the login page's passkey script, with the page's anti-forgery token as a header.</summary>
    private Task<JsonElement> PasskeyJsonAsync(string step, Page page, string path, JsonObject body, IStepRecorder? recorder)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.TryAddWithoutValidation("RequestVerificationToken", page.Field("__RequestVerificationToken"));
        return JsonAsync(step, request, recorder);
    }

    /// <summary>
    /// OpenID Connect face: /connect/authorize, the hosted page, back to /connect/authorize with the session
    /// cookie, then the code at /connect/token. Returns the access and refresh tokens.
    /// </summary>
    public async Task<(string AccessToken, string RefreshToken)> OidcSignInAsync(string email, IStepRecorder? recorder = null)
    {
        var authorizeUrl = QueryHelpers.AddQueryString("/connect/authorize", new Dictionary<string, string?>
        {
            ["client_id"] = organization.ClientId,
            ["redirect_uri"] = BenchOrganization.Callback,
            ["response_type"] = "code",
            ["scope"] = "openid email offline_access",
            ["state"] = "bench-state",
            ["nonce"] = "bench-nonce",
            ["code_challenge"] = Challenge,
            ["code_challenge_method"] = "S256",
        });
        var toPage = await RedirectAsync("authorize", authorizeUrl, recorder);
        var page = await PageAsync("page", HttpMethod.Get, toPage.ToString(), null, HttpStatusCode.OK, recorder);
        var codePage = await SubmitEmailAsync(page, email, recorder);
        var done = await SubmitCodeAsync(codePage, await outbox.CodeForAsync(email), recorder);
        var toClient = await RedirectAsync("authorize-again", done.Location.ToString(), recorder);
        var code = QueryHelpers.ParseQuery(toClient.Query)["code"].ToString();
        if (string.IsNullOrEmpty(code))
        {
            throw new BenchException($"authorize: no code in {toClient}");
        }

        var token = TokenRequest(organization, new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = BenchOrganization.Callback,
            ["code_verifier"] = Verifier,
        });
        var json = await JsonAsync("token", token, recorder);
        return (json.GetProperty("access_token").GetString()!, json.GetProperty("refresh_token").GetString()!);
    }

    /// <summary>POST /connect/token with client_secret_basic.</summary>
    public static HttpRequestMessage TokenRequest(BenchOrganization organization, Dictionary<string, string> form) =>
        TokenRequest("/connect/token", organization.Basic, form);

    /// <summary>POST to any token endpoint with client_secret_basic (the peers' too).</summary>
    public static HttpRequestMessage TokenRequest(string path, string basic, Dictionary<string, string> form)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(form) };
        request.Headers.TryAddWithoutValidation("Authorization", basic);
        return request;
    }

    private Task<Page> SubmitEmailAsync(Page page, string email, IStepRecorder? recorder) =>
        PageAsync("email", HttpMethod.Post, "/login/email", new Dictionary<string, string>
        {
            ["request"] = page.Field("request"),
            ["__RequestVerificationToken"] = page.Field("__RequestVerificationToken"),
            ["email"] = email,
        }, HttpStatusCode.OK, recorder);

    private Task<Page> SubmitCodeAsync(Page codePage, string code, IStepRecorder? recorder) =>
        PageAsync("code", HttpMethod.Post, "/login/code", new Dictionary<string, string>
        {
            ["request"] = codePage.Field("request"),
            ["attempt"] = codePage.Field("attempt"),
            ["__RequestVerificationToken"] = codePage.Field("__RequestVerificationToken"),
            ["code"] = code,
        }, HttpStatusCode.Redirect, recorder);

    private async Task<Page> PageAsync(string step, HttpMethod method, string url, Dictionary<string, string>? form, HttpStatusCode expected, IStepRecorder? recorder)
    {
        var request = new HttpRequestMessage(method, url);
        if (form is not null)
        {
            request.Content = new FormUrlEncodedContent(form);
        }

        var (response, body) = await SendAsync(step, request, recorder);
        if (response.StatusCode != expected)
        {
            throw new BenchException($"{step}: expected {(int)expected}, got {(int)response.StatusCode}: {Snippet(body)}");
        }

        return new Page(body, response.Headers.Location ?? new Uri("about:blank"));
    }

    private async Task<Uri> RedirectAsync(string step, string url, IStepRecorder? recorder)
    {
        var (response, body) = await SendAsync(step, new HttpRequestMessage(HttpMethod.Get, url), recorder);
        if (response.StatusCode != HttpStatusCode.Redirect || response.Headers.Location is null)
        {
            throw new BenchException($"{step}: expected a redirect, got {(int)response.StatusCode}: {Snippet(body)}");
        }

        return response.Headers.Location;
    }

    private async Task<JsonElement> JsonAsync(string step, HttpRequestMessage request, IStepRecorder? recorder)
    {
        var (response, body) = await SendAsync(step, request, recorder);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new BenchException($"{step}: expected 200, got {(int)response.StatusCode}: {Snippet(body)}");
        }

        return JsonDocument.Parse(body).RootElement;
    }

    private async Task<(HttpResponseMessage, string)> SendAsync(string step, HttpRequestMessage request, IStepRecorder? recorder)
    {
        if (cookies.Count > 0)
        {
            request.Headers.TryAddWithoutValidation("Cookie", string.Join("; ", cookies.Select(c => $"{c.Key}={c.Value}")));
        }

        request.Headers.TryAddWithoutValidation("X-Forwarded-For", clientIp);
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("AuthServerBench", "1.0"));
        var started = Stopwatch.GetTimestamp();
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        recorder?.Record(step, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
        {
            foreach (var setCookie in setCookies)
            {
                var pair = setCookie.Split(';', 2)[0];
                var eq = pair.IndexOf('=');
                if (eq > 0)
                {
                    cookies[pair[..eq].Trim()] = pair[(eq + 1)..].Trim();
                }
            }
        }

        return (response, body);
    }

    private static string Snippet(string body) => body.Length <= 300 ? body : body[..300];

    private sealed record Page(string Html, Uri Location)
    {
        public string Field(string name)
        {
            var match = Regex.Match(Html, $"name=\"{Regex.Escape(name)}\" value=\"([^\"]*)\"");
            return match.Success ? WebUtility.HtmlDecode(match.Groups[1].Value) : throw new BenchException($"no field {name} in the page: {Snippet(Html)}");
        }
    }
}

/// <summary>
/// Reads sign-in codes from the server's outbox folder (the delivery used when no SMTP host is set) and
/// deletes each file once read, so the folder stays small however many sign-ins a run makes.
/// </summary>
public sealed partial class OutboxReader(string path)
{
    private readonly Dictionary<string, string> codes = new(StringComparer.OrdinalIgnoreCase);
    private readonly SemaphoreSlim scanLock = new(1, 1);

    public async Task<string> CodeForAsync(string email)
    {
        // The server queues the email before it answers the email step and a background sender writes the file,
        // woken by that commit: usually a few milliseconds later, longer when the senders are busy under load.
        for (var attempt = 0; attempt < 2000; attempt++)
        {
            await scanLock.WaitAsync();
            try
            {
                if (codes.Remove(email, out var code))
                {
                    return code;
                }

                foreach (var file in Directory.Exists(path) ? Directory.GetFiles(path, "*.json") : [])
                {
                    EmailMessage? message;
                    try
                    {
                        message = JsonSerializer.Deserialize<EmailMessage>(await File.ReadAllTextAsync(file));
                    }
                    catch (JsonException)
                    {
                        continue; // still being written
                    }

                    File.Delete(file);
                    var match = CodePattern().Match(message?.TextBody ?? "");
                    if (message is not null && match.Success)
                    {
                        codes[message.To] = match.Groups[1].Value;
                    }
                }

                if (codes.Remove(email, out code))
                {
                    return code;
                }
            }
            finally
            {
                scanLock.Release();
            }

            await Task.Delay(5);
        }

        throw new BenchException($"no email to {email} in {path}");
    }

    [GeneratedRegex(@"code for .+ is (\d{5})\.")]
    private static partial Regex CodePattern();
}
