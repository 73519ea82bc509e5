using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using AuthServer.Errors;
using AuthServer.Tests.Admin;
using AuthServer.Tests.Infrastructure;

namespace AuthServer.Tests.Hygiene;

/// <summary>
/// Generated malformed requests against every endpoint of every face (login pages and posts, the CentralAuth
/// API, /connect/*, /.well-known/*, the admin API): wrong methods, content types and encodings, oversized
/// bodies and values, duplicated and missing parameters, control characters. Every answer must be below 500,
/// carry a catalog error (JSON, or the error page naming it), an RFC 6749 error, or a redirect; and every one
/// has nosniff, no-store where codes, tokens or user data may appear, and Allow on a 405.
/// </summary>
public sealed class AdversarialSweepTests(AdminFixture fixture) : IClassFixture<AdminFixture>
{
    private static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE"];
    private static readonly HashSet<string> CatalogCodes = [.. ErrorCatalog.All.Select(e => e.Code)];

    /// <summary>Every endpoint, with the methods it accepts ({org}, {user}, {id} are filled with real ids).</summary>
    private static readonly (string Path, string[] Allowed)[] Endpoints =
    [
        ("/login", ["GET"]),
        ("/login/resume", ["GET"]),
        ("/login/email", ["POST"]),
        ("/login/code", ["POST"]),
        ("/login/link", ["GET", "POST"]),
        ("/login/link/status", ["GET"]),
        ("/login/link/finish", ["POST"]),
        ("/login/passkey/options", ["POST"]),
        ("/login/passkey/verify", ["POST"]),
        ("/login/passkey/register/options", ["POST"]),
        ("/login/passkey/register", ["POST"]),
        ("/api/v1/verify", ["POST"]),
        ("/api/v1/userinfo", ["POST"]),
        ("/api/v1/logout", ["POST"]),
        ("/api/v1/authenticate_direct", ["POST"]),
        ("/api/v1/errors", ["GET"]),
        ("/connect/authorize", ["GET", "POST"]),
        ("/connect/token", ["POST"]),
        ("/connect/userinfo", ["GET", "POST"]),
        ("/connect/introspect", ["POST"]),
        ("/connect/revoke", ["POST"]),
        ("/connect/endsession", ["GET", "POST"]),
        ("/.well-known/openid-configuration", ["GET"]),
        ("/.well-known/jwks", ["GET"]),
        ("/api/v1/admin/organizations", ["GET", "POST"]),
        ("/api/v1/admin/organizations/{org}", ["GET", "PATCH", "DELETE"]),
        ("/api/v1/admin/organizations/{org}/users", ["GET", "POST"]),
        ("/api/v1/admin/organizations/{org}/users/by_email", ["GET"]),
        ("/api/v1/admin/organizations/{org}/email_login_lock", ["GET"]),
        ("/api/v1/admin/organizations/{org}/email_login_lock/unlock", ["POST"]),
        ("/api/v1/admin/users/{user}", ["GET", "PATCH", "DELETE"]),
        ("/api/v1/admin/users/{user}/sessions", ["GET"]),
        ("/api/v1/admin/users/{user}/passkeys", ["GET"]),
        ("/api/v1/admin/sessions/{id}/revoke", ["POST"]),
        ("/api/v1/admin/passkeys/{id}", ["PATCH", "DELETE"]),
        ("/api/v1/admin/api_keys", ["GET", "POST"]),
        ("/api/v1/admin/api_keys/{id}", ["DELETE"]),
        ("/api/v1/admin/administrators", ["GET", "PUT"]),
        ("/api/v1/admin/administrators/{user}", ["DELETE"]),
        ("/api/v1/admin/audit_log", ["GET"]),
    ];

    /// <summary>Parameter names the endpoints read, so the malformed values reach their parsing.</summary>
    private static readonly string[] Parameters =
    [
        "client_id", "redirect_uri", "response_type", "state", "code_challenge", "code_challenge_method", "scope", "nonce",
        "grant_type", "code", "code_verifier", "refresh_token", "token", "email", "request", "attempt", "domain", "cursor", "limit",
    ];

    [Fact]
    public async Task Malformed_requests_on_every_face_get_no_5xx_an_error_body_and_the_headers()
    {
        var organization = await fixture.CreateOrganizationAsync();
        var user = (await fixture.CreateUserViaApiAsync(organization.Id, "sweep@example.com")).GetGuid("id");
        var cases = Endpoints.SelectMany(e => CasesFor(e.Path.Replace("{org}", organization.ClientId, StringComparison.Ordinal)
            .Replace("{user}", user.ToString(), StringComparison.Ordinal).Replace("{id}", Guid.NewGuid().ToString(), StringComparison.Ordinal), e.Allowed, organization)).ToList();

        var failures = new ConcurrentBag<string>();
        using var throttle = new SemaphoreSlim(8);
        await Task.WhenAll(cases.Select(async c =>
        {
            await throttle.WaitAsync();
            try
            {
                using var client = fixture.Admin();
                using var request = c.Build();
                using var response = await client.SendAsync(request);
                if (await CheckAsync(request, response) is { } failure)
                {
                    failures.Add($"{c.Name}: {failure}");
                }
            }
            finally
            {
                throttle.Release();
            }
        }));

        Assert.True(cases.Count > 500, $"Only {cases.Count} cases generated.");
        Assert.True(failures.IsEmpty, $"{failures.Count} of {cases.Count} malformed requests were mishandled:\n" + string.Join("\n", failures.Order()));
    }

    private sealed record Case(string Name, Func<HttpRequestMessage> Build);

    private static IEnumerable<Case> CasesFor(string path, string[] allowed, TestOrganization organization)
    {
        var face = path.StartsWith("/api/v1/admin", StringComparison.Ordinal) ? "admin" : path.StartsWith("/api", StringComparison.Ordinal) ? "centralauth" : "other";

        HttpRequestMessage Request(string method, string url, HttpContent? content = null)
        {
            var request = new HttpRequestMessage(new HttpMethod(method), url) { Content = content };
            if (face == "centralauth")
            {
                // Past the client authentication, so the bodies reach their parsing.
                request.Headers.Authorization = organization.Basic;
            }

            return request;
        }

        foreach (var method in Methods.Where(m => !allowed.Contains(m)))
        {
            yield return new($"{method} {path} (wrong method)", () => Request(method, path, method is "GET" or "DELETE" ? null : new StringContent("{}", Encoding.UTF8, "application/json")));
        }

        var longValue = new string('x', 20_000);
        var queries = new (string Name, string Query)[]
        {
            ("no parameters", ""),
            ("invalid UTF-8", "?client_id=%FF%FE&state=%C3%28&email=%80"),
            ("NUL and control characters", "?client_id=a%00b&state=%01%02&redirect_uri=https%3A%2F%2Fapp.example.com%2F%00&email=a%0Bb@example.com"),
            ("duplicated parameters", $"?client_id={organization.ClientId}&client_id={Guid.NewGuid()}&redirect_uri=https://app.example.com/a&redirect_uri=https://evil.example.com/&state=1&state=2&response_type=code&response_type=token"),
            ("over-long values", $"?client_id={organization.ClientId}&redirect_uri=https://app.example.com/{longValue}&state={longValue}&code_challenge={longValue}&email={longValue}@example.com&cursor={longValue}"),
            ("wrong types", "?client_id=not-a-guid&limit=-1&cursor=%%%&request=zzz&attempt=1e999&code_challenge_method=plain&response_type=id_token%20token"),
            ("every parameter empty", "?" + string.Join("&", Parameters.Select(p => p + "="))),
            ("real client, missing the rest", $"?client_id={organization.ClientId}&response_type=code"),
        };
        foreach (var method in allowed)
        {
            foreach (var (name, query) in queries)
            {
                yield return new($"{method} {path} query: {name}", () => Request(method, path + query, method is "GET" or "DELETE" ? null : new StringContent("{}", Encoding.UTF8, "application/json")));
            }
        }

        foreach (var method in allowed.Where(m => m is not ("GET" or "DELETE")))
        {
            foreach (var (name, content) in Bodies(organization))
            {
                yield return new($"{method} {path} body: {name}", () => Request(method, path, content()));
            }
        }
    }

    private static IEnumerable<(string Name, Func<HttpContent?> Content)> Bodies(TestOrganization organization)
    {
        var longValue = new string('y', 30_000);
        yield return ("none", () => null);
        yield return ("empty JSON", () => new StringContent("", Encoding.UTF8, "application/json"));
        yield return ("text/plain", () => new StringContent("garbage \u0001 text", Encoding.UTF8, "text/plain"));
        yield return ("XML", () => new StringContent("<a>1</a>", Encoding.UTF8, "application/xml"));
        yield return ("malformed JSON", () => new StringContent("{\"name\": ", Encoding.UTF8, "application/json"));
        yield return ("JSON array", () => new StringContent("[1,2,3]", Encoding.UTF8, "application/json"));
        yield return ("JSON null", () => new StringContent("null", Encoding.UTF8, "application/json"));
        yield return ("JSON with duplicate keys", () => new StringContent("{\"name\":\"a\",\"name\":\"b\",\"email\":\"a@example.com\",\"email\":\"b@example.com\"}", Encoding.UTF8, "application/json"));
        yield return ("JSON with wrong types", () => new StringContent("{\"name\":1,\"email\":[],\"blocked\":\"yes\",\"whitelistedOrigins\":\"x\",\"organizationId\":\"nope\"}", Encoding.UTF8, "application/json"));
        yield return ("JSON with NUL escapes", () => new StringContent("{\"name\":\"a\\u0000b\",\"email\":\"a\\u0000@example.com\",\"whitelistedOrigins\":[\"https://a\\u0000.example.com\"]}", Encoding.UTF8, "application/json"));
        yield return ("JSON with invalid UTF-8", () => Bytes([.. "{\"name\":\"a"u8, 0xC3, 0x28, .. "\",\"email\":\"x"u8, 0xFF, .. "@example.com\"}"u8], "application/json"));
        yield return ("JSON with over-long values", () => new StringContent($"{{\"name\":\"{longValue}\",\"email\":\"{longValue}@example.com\",\"whitelistedOrigins\":[\"https://{longValue}.example.com\"]}}", Encoding.UTF8, "application/json"));
        yield return ("JSON deeply nested", () => new StringContent(new string('[', 5000) + new string(']', 5000), Encoding.UTF8, "application/json"));
        yield return ("JSON over 64 KB", () => new StringContent($"{{\"name\":\"{new string('z', 70_000)}\"}}", Encoding.UTF8, "application/json"));
        yield return ("JSON declared latin1", () => Bytes([.. "{\"name\":\"caf"u8, 0xE9, .. "\"}"u8], "application/json; charset=iso-8859-1"));
        yield return ("form with invalid UTF-8", () => Form("client_id=%FF%FE&grant_type=%C3%28&email=%80@example.com&code=%E0%80%80"));
        yield return ("form with NUL and controls", () => Form($"client_id={organization.ClientId}&grant_type=client_credentials%00&email=a%00@example.com&code=1%012&request=%00&token=%1B"));
        yield return ("form with duplicated parameters", () => Form($"client_id={organization.ClientId}&client_id={Guid.NewGuid()}&grant_type=authorization_code&grant_type=client_credentials&code=a&code=b&email=a@example.com&email=b@example.com"));
        yield return ("form with over-long values", () => Form($"client_id={organization.ClientId}&grant_type=authorization_code&code={longValue}&code_verifier={longValue}&redirect_uri=https://app.example.com/{longValue}&email={longValue}@example.com&token={longValue}"));
        yield return ("form with every parameter empty", () => Form(string.Join("&", Parameters.Select(p => p + "="))));
        yield return ("form with a key but no value", () => Form("client_id&grant_type&&=&=x"));
        yield return ("form over 64 KB", () => Form("email=" + new string('q', 70_000)));
        yield return ("multipart without a boundary", () => Bytes("junk"u8.ToArray(), "multipart/form-data"));
        yield return ("multipart with a broken body", () => Bytes("--x\r\nContent-Disposition: form-data; name=\"code\"\r\n\r\nabc"u8.ToArray(), "multipart/form-data; boundary=x"));
        yield return ("binary", () => Bytes([0x00, 0xFF, 0xFE, 0x01, 0x80], "application/octet-stream"));
    }

    private static ByteArrayContent Bytes(byte[] bytes, string contentType)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return content;
    }

    private static StringContent Form(string body) => new(body, Encoding.ASCII, "application/x-www-form-urlencoded");

    /// <summary>Null when the answer is right; otherwise what is wrong with it.</summary>
    private static async Task<string?> CheckAsync(HttpRequestMessage request, HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        var text = await response.Content.ReadAsStringAsync();
        var path = request.RequestUri!.IsAbsoluteUri ? request.RequestUri.AbsolutePath : request.RequestUri.OriginalString.Split('?')[0];
        if (status >= 500)
        {
            return $"{status}: {Shorten(text)}";
        }

        if (!response.Headers.TryGetValues("X-Content-Type-Options", out var nosniff) || nosniff.Single() != "nosniff")
        {
            return $"{status} without X-Content-Type-Options: nosniff";
        }

        var isPrivate = path.StartsWith("/login", StringComparison.Ordinal) || path.StartsWith("/api", StringComparison.Ordinal) || path.StartsWith("/connect", StringComparison.Ordinal);
        if (isPrivate && response.Headers.CacheControl?.NoStore != true)
        {
            return $"{status} without Cache-Control: no-store";
        }

        if (status == 405 && !response.Content.Headers.Allow.Any())
        {
            return "405 without Allow";
        }

        if (status is >= 300 and < 400)
        {
            return response.Headers.Location is null ? $"{status} without Location" : null;
        }

        if (status < 400)
        {
            return null;
        }

        // RFC 6750 §3: a bearer-protected endpoint answers in the WWW-Authenticate header, the body may be empty.
        if (text.Length == 0 && response.Headers.WwwAuthenticate.Any(h => h.Scheme == "Bearer"))
        {
            return status == 401 && path.StartsWith("/connect/userinfo", StringComparison.Ordinal)
                || response.Headers.WwwAuthenticate.Any(h => h.Parameter?.Contains("error=", StringComparison.Ordinal) == true)
                ? null
                : $"{status} Bearer challenge without an error";
        }

        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (mediaType == "text/html")
        {
            // The error page (login page style) names the code.
            return text.Contains("<code>", StringComparison.Ordinal) ? null : $"{status} HTML without an error code: {Shorten(text)}";
        }

        try
        {
            var body = JsonDocument.Parse(text).RootElement;
            if (body.TryGetProperty("errorCode", out var code))
            {
                return CatalogCodes.Contains(code.GetString()!) ? null : $"{status} with an errorCode not in the catalog: {code}";
            }

            return body.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String ? null : $"{status} JSON without errorCode or error: {Shorten(text)}";
        }
        catch (JsonException)
        {
            return $"{status} {mediaType} body that is neither a catalog nor an RFC error: {Shorten(text)}";
        }
    }

    private static string Shorten(string text) => text.Length > 300 ? text[..300] + "…" : text;
}
