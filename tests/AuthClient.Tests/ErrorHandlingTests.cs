using System.Net;
using System.Text;
using AuthServer.AuthClientTests.Infrastructure;

namespace AuthServer.AuthClientTests;

/// <summary>
/// How answers the real server rarely gives are handled (rate limits, outages, proxies, dead networks):
/// these use a scripted HTTP handler instead of the server.
/// </summary>
public sealed class ErrorHandlingTests
{
    private static readonly EndUserContext EndUser = new("203.0.113.1", "UnitBrowser/1.0");

    [Fact]
    public async Task Userinfo_is_retried_on_serviceUnavailable_honouring_retry_after()
    {
        var handler = new ScriptedHandler(
            _ => Error(HttpStatusCode.ServiceUnavailable, "serviceUnavailable", retryAfter: "0"),
            _ => Error(HttpStatusCode.TooManyRequests, "tooManyRequests", retryAfter: "0"),
            _ => UserAnswer());
        var client = Client(handler);

        var user = await client.GetUserAsync("token", EndUser);

        Assert.Equal("ada@example.com", user.Email);
        Assert.Equal(3, handler.Calls);
    }

    [Fact]
    public async Task Retries_stop_after_MaxRetries_with_the_last_error()
    {
        var handler = new ScriptedHandler(_ => Error(HttpStatusCode.TooManyRequests, "tooManyRequests", retryAfter: "0"));
        var client = Client(handler, o => o.MaxRetries = 2);

        var error = await Assert.ThrowsAsync<AuthException>(() => client.GetUserAsync("token", EndUser));

        Assert.Equal(AuthErrorCode.TooManyRequests, error.Error);
        Assert.Equal(TimeSpan.Zero, error.RetryAfter);
        Assert.True(error.IsTransient);
        Assert.Equal(3, handler.Calls);
    }

    [Fact]
    public async Task A_retry_after_longer_than_the_bound_is_not_waited_for()
    {
        var handler = new ScriptedHandler(_ => Error(HttpStatusCode.TooManyRequests, "tooManyRequests", retryAfter: "120"));
        var client = Client(handler, o => o.MaxRetryDelay = TimeSpan.FromSeconds(2));

        var error = await Assert.ThrowsAsync<AuthException>(() => client.GetUserAsync("token", EndUser));

        Assert.Equal(AuthErrorCode.TooManyRequests, error.Error);
        Assert.Equal(TimeSpan.FromSeconds(120), error.RetryAfter);
        Assert.Equal(1, handler.Calls);
    }

    [Fact]
    public async Task Other_errors_are_not_retried_and_keep_the_catalog_fields()
    {
        var handler = new ScriptedHandler(_ => Json(HttpStatusCode.Unauthorized,
            """{"errorCode":"sessionExpired","message":"The session has expired.","traceId":"00-abc-def-01"}"""));
        var client = Client(handler);

        var error = await Assert.ThrowsAsync<AuthException>(() => client.GetUserAsync("token", EndUser));

        Assert.Equal(AuthErrorCode.SessionExpired, error.Error);
        Assert.Equal("sessionExpired", error.ErrorCode);
        Assert.Equal("The session has expired.", error.Message);
        Assert.Equal(401, error.StatusCode);
        Assert.Equal("00-abc-def-01", error.TraceId);
        Assert.True(error.RequiresSignIn);
        Assert.Equal(1, handler.Calls);
    }

    [Fact]
    public async Task The_code_exchange_is_never_retried()
    {
        var handler = new ScriptedHandler(_ => Error(HttpStatusCode.ServiceUnavailable, "serviceUnavailable", retryAfter: "0"));
        var client = Client(handler);
        var context = Contexts.Request("https://app.test/api/auth/callback?code=12345&state=s1",
            new Dictionary<string, string> { ["authclient_state"] = "s1", ["authclient_verifier"] = new string('v', 43) });

        var error = await Assert.ThrowsAsync<AuthException>(() => client.CallbackAsync(context));

        Assert.Equal(AuthErrorCode.ServiceUnavailable, error.Error);
        Assert.Equal(1, handler.Calls);
    }

    [Fact]
    public async Task Field_details_are_kept()
    {
        var handler = new ScriptedHandler(_ => Json(HttpStatusCode.BadRequest,
            """{"errorCode":"missingFields","message":"Missing.","details":[{"location":"code","message":"Required."}],"traceId":"t"}"""));
        var client = Client(handler);

        var error = await Assert.ThrowsAsync<AuthException>(() => client.EndSessionAsync("token"));

        Assert.Equal(AuthErrorCode.MissingFields, error.Error);
        Assert.Equal(new AuthErrorDetail("code", "Required."), Assert.Single(error.Details));
    }

    [Fact]
    public async Task An_unknown_code_is_Unknown_with_the_raw_code_kept()
    {
        var handler = new ScriptedHandler(_ => Json(HttpStatusCode.BadRequest, """{"errorCode":"somethingNew","message":"New.","traceId":"t"}"""));

        var error = await Assert.ThrowsAsync<AuthException>(() => Client(handler).GetUserAsync("token", EndUser));

        Assert.Equal(AuthErrorCode.Unknown, error.Error);
        Assert.Equal("somethingNew", error.ErrorCode);
        Assert.Equal("New.", error.Message);
    }

    [Fact]
    public async Task An_answer_that_is_not_the_catalog_json_is_Unknown()
    {
        var handler = new ScriptedHandler(_ => new HttpResponseMessage(HttpStatusCode.BadGateway)
        {
            Content = new StringContent("<html>Bad gateway</html>", Encoding.UTF8, "text/html"),
        });

        var error = await Assert.ThrowsAsync<AuthException>(() => Client(handler).GetUserAsync("token", EndUser));

        Assert.Equal(AuthErrorCode.Unknown, error.Error);
        Assert.Null(error.ErrorCode);
        Assert.Equal(502, error.StatusCode);
    }

    [Fact]
    public async Task An_unreadable_success_answer_is_Unknown()
    {
        var handler = new ScriptedHandler(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("<html></html>") });

        var error = await Assert.ThrowsAsync<AuthException>(() => Client(handler).GetUserAsync("token", EndUser));

        Assert.Equal(AuthErrorCode.Unknown, error.Error);
    }

    [Fact]
    public async Task An_unreachable_server_is_networkError()
    {
        var client = new AuthClient(Options(o => o.AuthBaseUrl = "http://127.0.0.1:1"), new HttpClient());

        var error = await Assert.ThrowsAsync<AuthException>(() => client.GetUserAsync("token", EndUser));

        Assert.Equal(AuthErrorCode.NetworkError, error.Error);
        Assert.True(error.IsTransient);
        Assert.Null(error.StatusCode);
    }

    [Fact]
    public async Task A_server_that_does_not_answer_in_time_is_timeout()
    {
        var handler = new ScriptedHandler(async (_, cancellationToken) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30), cancellationToken);
            return UserAnswer();
        });
        var client = Client(handler, o => o.Timeout = TimeSpan.FromMilliseconds(200));

        var error = await Assert.ThrowsAsync<AuthException>(() => client.GetUserAsync("token", EndUser));

        Assert.Equal(AuthErrorCode.Timeout, error.Error);
    }

    [Fact]
    public async Task Cancellation_by_the_caller_is_not_an_AuthException()
    {
        var handler = new ScriptedHandler(async (_, cancellationToken) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30), cancellationToken);
            return UserAnswer();
        });
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Client(handler).GetUserAsync("token", EndUser, cancel.Token));
    }

    [Fact]
    public async Task Callback_checks_happen_before_any_request()
    {
        var handler = new ScriptedHandler(_ => UserAnswer());
        var client = Client(handler);
        var cookies = new Dictionary<string, string> { ["authclient_state"] = "s1", ["authclient_verifier"] = new string('v', 43) };

        var noCode = await Assert.ThrowsAsync<AuthException>(() => client.CallbackAsync(Contexts.Request("https://app.test/api/auth/callback?state=s1", cookies)));
        var noVerifier = await Assert.ThrowsAsync<AuthException>(() => client.CallbackAsync(Contexts.Request("https://app.test/api/auth/callback?state=s1&code=1",
            new Dictionary<string, string> { ["authclient_state"] = "s1" })));
        var noState = await Assert.ThrowsAsync<AuthException>(() => client.CallbackAsync(Contexts.Request("https://app.test/api/auth/callback?state=s1&code=1")));

        Assert.Equal(AuthErrorCode.MissingFields, noCode.Error);
        Assert.Equal(AuthErrorCode.CodeChallengeMissing, noVerifier.Error);
        Assert.Equal(AuthErrorCode.StateMissing, noState.Error);
        Assert.Equal(0, handler.Calls);
    }

    [Fact]
    public void Wire_codes_round_trip()
    {
        foreach (var code in Enum.GetValues<AuthErrorCode>())
        {
            Assert.Equal(code, AuthErrorCodes.Parse(code.ToWireCode()));
        }

        Assert.Equal("sessionExpired", AuthErrorCode.SessionExpired.ToWireCode());
        Assert.Equal("secretMissing", AuthErrorCode.SecretMissing.ToWireCode());
        Assert.Equal(AuthErrorCode.Unknown, AuthErrorCodes.Parse(null));
        Assert.Equal(AuthErrorCode.Unknown, AuthErrorCodes.Parse("SessionExpired"));
    }

    private static AuthClientOptions Options(Action<AuthClientOptions>? change = null)
    {
        var options = new AuthClientOptions
        {
            ClientId = "5f0c1a52-7d3e-4a51-9d55-000000000001",
            Secret = "0123456789abcdef0123456789abcdef",
            AuthBaseUrl = "https://auth.test",
            CallbackUrl = "https://app.test/api/auth/callback",
            MaxRetryDelay = TimeSpan.FromSeconds(1),
            UserCacheTime = TimeSpan.Zero,
        };
        change?.Invoke(options);
        return options;
    }

    private static AuthClient Client(ScriptedHandler handler, Action<AuthClientOptions>? change = null) => new(Options(change), new HttpClient(handler));

    private static HttpResponseMessage UserAnswer() => Json(HttpStatusCode.OK,
        """{"id":"u1","email":"ada@example.com","gravatar":"g","verified":true,"blocked":false,"organizationId":"o1","created":"2026-01-01T00:00:00Z","updated":"2026-01-01T00:00:00Z","lastLogin":null}""");

    private static HttpResponseMessage Error(HttpStatusCode status, string code, string? retryAfter = null)
    {
        var response = Json(status, $$"""{"errorCode":"{{code}}","message":"Try later.","traceId":"t"}""");
        if (retryAfter is not null)
        {
            response.Headers.TryAddWithoutValidation("Retry-After", retryAfter);
        }

        return response;
    }

    private static HttpResponseMessage Json(HttpStatusCode status, string json) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    /// <summary>Answers with the scripted responses in order, repeating the last one.</summary>
    private sealed class ScriptedHandler : HttpMessageHandler
    {
        private readonly Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>>[] _answers;
        private int _calls;

        public ScriptedHandler(params Func<HttpRequestMessage, HttpResponseMessage>[] answers) =>
            _answers = [.. answers.Select(a => (Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>>)((r, _) => Task.FromResult(a(r))))];

        public ScriptedHandler(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> answer) => _answers = [answer];

        public int Calls => _calls;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var index = Interlocked.Increment(ref _calls) - 1;
            return _answers[Math.Min(index, _answers.Length - 1)](request, cancellationToken);
        }
    }
}
