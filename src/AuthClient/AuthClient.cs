using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using AuthServer.Client.Internal;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AuthServer.Client;

/// <summary>
/// Signs people in to an ASP.NET Core app with the auth server's CentralAuth-style API: <see cref="LoginAsync"/>
/// sends the browser to the hosted login page, <see cref="CallbackAsync"/> takes it back and stores the
/// session's token in a cookie, <see cref="GetUserAsync(HttpContext, CancellationToken)"/> reads the user,
/// <see cref="LogoutAsync"/> signs out. Thread-safe; register it once (see
/// <see cref="AuthClientServiceCollectionExtensions"/>). Every failure is an <see cref="AuthException"/>.
/// </summary>
public sealed partial class AuthClient
{
    /// <summary>The name of the <see cref="HttpClient"/> this library asks <see cref="IHttpClientFactory"/> for; add handlers to it with <c>services.AddHttpClient(AuthClient.HttpClientName)</c>.</summary>
    public const string HttpClientName = "AuthServer.Client";

    private const int MaxStateLength = 1024;
    private static readonly object RequestUserKey = new();
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly AuthClientOptions _options;
    private readonly Func<HttpClient> _httpClient;
    private readonly IMemoryCache? _cache;
    private readonly ILogger _logger;
    private readonly TimeProvider _clock;
    private readonly string _clientId;
    private readonly string _secret;
    private readonly Uri _baseUrl;
    private readonly string _callbackUrl;
    private readonly Uri _appOrigin;
    private readonly string _callbackPath;
    private readonly bool _callbackIsHttps;
    private readonly AuthenticationHeaderValue _basic;

    /// <summary>Creates a client that takes a fresh <see cref="HttpClient"/> named <see cref="HttpClientName"/> from <paramref name="httpClientFactory"/> for every call (the DI way).</summary>
    /// <param name="options">The configuration; checked at once (<see cref="AuthException"/> with organizationIdMissing, secretMissing, authBaseUrlMissing, callbackUrlMissing or callbackUrlInvalid).</param>
    /// <param name="httpClientFactory">Source of the HTTP clients.</param>
    /// <param name="cache">Cache of user data; needed only when <see cref="AuthClientOptions.UserCacheTime"/> is positive (a private one is made otherwise).</param>
    /// <param name="logger">Debug logging of each step; never logs tokens or secrets.</param>
    /// <param name="timeProvider">Clock, for tests.</param>
    public AuthClient(AuthClientOptions options, IHttpClientFactory httpClientFactory, IMemoryCache? cache = null, ILogger<AuthClient>? logger = null, TimeProvider? timeProvider = null)
        : this(options, FactoryOf(httpClientFactory), cache, logger, timeProvider)
    {
    }

    /// <summary>Creates a client that sends every call through <paramref name="httpClient"/> (which the caller owns and disposes).</summary>
    /// <param name="options">The configuration; checked at once (<see cref="AuthException"/> with organizationIdMissing, secretMissing, authBaseUrlMissing, callbackUrlMissing or callbackUrlInvalid).</param>
    /// <param name="httpClient">The HTTP client to use.</param>
    /// <param name="cache">Cache of user data; needed only when <see cref="AuthClientOptions.UserCacheTime"/> is positive (a private one is made otherwise).</param>
    /// <param name="logger">Debug logging of each step; never logs tokens or secrets.</param>
    /// <param name="timeProvider">Clock, for tests.</param>
    public AuthClient(AuthClientOptions options, HttpClient httpClient, IMemoryCache? cache = null, ILogger<AuthClient>? logger = null, TimeProvider? timeProvider = null)
        : this(options, FactoryOf(httpClient), cache, logger, timeProvider)
    {
    }

    private AuthClient(AuthClientOptions options, Func<HttpClient> httpClient, IMemoryCache? cache, ILogger? logger, TimeProvider? timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _httpClient = httpClient;
        _logger = logger ?? NullLogger.Instance;
        _clock = timeProvider ?? TimeProvider.System;

        (_clientId, _secret, _baseUrl, var callback) = Validate(options);
        _callbackUrl = callback.ToString();
        _appOrigin = new Uri(callback.GetLeftPart(UriPartial.Authority));
        _callbackPath = callback.AbsolutePath;
        _callbackIsHttps = callback.Scheme == Uri.UriSchemeHttps;
        _basic = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_clientId}:{_secret}")));
        _cache = options.UserCacheTime > TimeSpan.Zero ? cache ?? new MemoryCache(new MemoryCacheOptions()) : cache;
    }

    /// <summary>The cookie that holds the session's access token (HttpOnly, SameSite=Lax, Secure on https).</summary>
    public string TokenCookieName => _options.CookiePrefix + "token";

    /// <summary>The hooks of <see cref="AuthClientOptions.Events"/>.</summary>
    public AuthClientEvents Events => _options.Events;

    /// <summary>The configuration this client runs with.</summary>
    internal AuthClientOptions Options => _options;

    /// <summary>The app's origin (scheme://host[:port]), taken from <see cref="AuthClientOptions.CallbackUrl"/>.</summary>
    public string AppOrigin => _appOrigin.GetLeftPart(UriPartial.Authority);

    private string StateCookieName => _options.CookiePrefix + "state";

    private string VerifierCookieName => _options.CookiePrefix + "verifier";

    /// <summary>
    /// Starts a sign-in: keeps a fresh PKCE verifier and the state in HttpOnly cookies and returns the
    /// redirect to the auth server's login page.
    /// </summary>
    /// <param name="context">The request of the person signing in.</param>
    /// <param name="options">Return address, email, message, texts, embed and affirm options.</param>
    /// <returns>A redirect to the login page.</returns>
    /// <exception cref="AuthException">stateInvalid when a custom state is longer than 1024 characters.</exception>
    public Task<IResult> LoginAsync(HttpContext context, LoginOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        options ??= new LoginOptions();
        var state = string.IsNullOrEmpty(options.State) ? Pkce.RandomValue() : options.State;
        if (state.Length > MaxStateLength)
        {
            throw new AuthException(AuthErrorCode.StateInvalid, "The state must be at most 1024 characters.");
        }

        var verifier = Pkce.NewVerifier();
        var cookie = CookieOptionsFor(context, _callbackPath, _clock.GetUtcNow() + _options.LoginLifetime);
        context.Response.Cookies.Append(StateCookieName, state, cookie);
        context.Response.Cookies.Append(VerifierCookieName, verifier, cookie);

        var returnTo = LocalRedirect.ToLocalPath(options.ReturnTo, _appOrigin);
        if (returnTo is null && !string.IsNullOrEmpty(options.ReturnTo))
        {
            LogReturnToIgnored("login");
        }

        var query = new Dictionary<string, string?>
        {
            ["client_id"] = _clientId,
            ["redirect_uri"] = returnTo is null ? _callbackUrl : QueryHelpers.AddQueryString(_callbackUrl, "return_to", returnTo),
            ["response_type"] = "code",
            ["state"] = state,
            ["code_challenge"] = Pkce.ChallengeOf(verifier),
            ["code_challenge_method"] = "S256",
            ["email"] = NullIfEmpty(options.Email),
            ["error_description"] = NullIfEmpty(options.ErrorMessage),
            ["embed"] = options.Embed ? "1" : null,
            ["affirm"] = options.AffirmExistingSession ? "1" : null,
        };
        if ((options.Translations ?? _options.Translations) is { Count: > 0 } translations)
        {
            query["translations"] = Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(translations));
        }

        var url = QueryHelpers.AddQueryString(new Uri(_baseUrl, "login").ToString(), query.Where(p => p.Value is not null));
        LogLoginStarted(options.Embed, options.AffirmExistingSession);
        return Task.FromResult(Results.Redirect(url));
    }

    /// <summary>
    /// Finishes a sign-in on the app's callback URL: checks the state against its cookie, turns an
    /// <c>error</c> from the server into an exception, exchanges the code (with the PKCE verifier) for the
    /// session's token, stores it in an HttpOnly cookie and redirects to <c>return_to</c> when that is on the
    /// app's origin, else to <c>/</c>.
    /// </summary>
    /// <param name="context">The callback request.</param>
    /// <param name="options">Hooks replacing those of <see cref="AuthClientOptions"/>.</param>
    /// <param name="cancellationToken">Defaults to the request's.</param>
    /// <returns>The redirect (or what <see cref="AuthClientOptions.OnAfterCallback"/> returned).</returns>
    /// <exception cref="AuthException">
    /// stateMissing (no state cookie), stateInvalid (state differs or rejected by the hook), the server's
    /// code from <c>error</c> (e.g. noPermission), missingFields (no code), codeChallengeMissing (no verifier
    /// cookie), or an error of the code exchange (tokenInvalid, codeChallengeInvalid, ...).
    /// </exception>
    public async Task<IResult> CallbackAsync(HttpContext context, CallbackOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var cancel = cancellationToken.CanBeCanceled ? cancellationToken : context.RequestAborted;
        var request = context.Request;
        var expectedState = request.Cookies[StateCookieName];
        var verifier = request.Cookies[VerifierCookieName];
        // Single use, whatever happens next.
        var expired = CookieOptionsFor(context, _callbackPath, null);
        context.Response.Cookies.Delete(StateCookieName, expired);
        context.Response.Cookies.Delete(VerifierCookieName, expired);

        if (string.IsNullOrEmpty(expectedState))
        {
            // A callback opened again (back button, a reload, a bookmarked URL) by someone who is signed in:
            // the sign-in already happened, so go on to where it was going instead of showing an error.
            if (CurrentSubject(request) is not null)
            {
                LogReplayedCallback();
                return Results.Redirect(LocalRedirect.ToLocalPath(request.Query["return_to"], _appOrigin) ?? "/");
            }

            throw new AuthException(AuthErrorCode.StateMissing, "No sign-in was started in this browser, or it took too long. Please sign in again.");
        }

        string? state = request.Query["state"];
        if (string.IsNullOrEmpty(state) || !Pkce.FixedTimeEquals(state, expectedState))
        {
            throw new AuthException(AuthErrorCode.StateInvalid, "The sign-in does not match the one started in this browser. Please sign in again.");
        }

        if ((options?.OnStateReceived ?? _options.OnStateReceived) is { } onStateReceived && !await onStateReceived(context, state))
        {
            throw new AuthException(AuthErrorCode.StateInvalid, "The app did not accept the state of this sign-in.");
        }

        string? error = request.Query["error"];
        if (!string.IsNullOrEmpty(error))
        {
            string? description = request.Query["error_description"];
            LogCallbackError(error);
            throw new AuthException(AuthErrorCodes.Parse(error), string.IsNullOrWhiteSpace(description) ? "The sign-in failed." : description, error);
        }

        string? code = request.Query["code"];
        if (string.IsNullOrEmpty(code))
        {
            throw new AuthException(AuthErrorCode.MissingFields, "The callback carries no code.", details: [new AuthErrorDetail("code", "Required.")]);
        }

        if (string.IsNullOrEmpty(verifier))
        {
            throw new AuthException(AuthErrorCode.CodeChallengeMissing, "The sign-in's verifier cookie is missing. Please sign in again.");
        }

        var tokens = await VerifyAsync(code, verifier, cancel);
        var user = await UserOfAsync(tokens, EndUserContext.FromRequest(request, _options.UseForwardedHeaders), cancel);

        if (request.Query["affirm"] == "1" && CurrentSubject(request) is { } currentUserId && currentUserId != user.Id)
        {
            // Someone else confirmed the session: end the new one and keep the current person signed in.
            await TryEndSessionAsync(tokens.AccessToken, cancel);
            throw new AuthException(AuthErrorCode.SessionInvalid, "Another account confirmed the sign-in than the one signed in.");
        }

        context.Response.Cookies.Append(TokenCookieName, tokens.AccessToken, CookieOptionsFor(context, "/", tokens.ExpiresAt));

        var returnTo = LocalRedirect.ToLocalPath(request.Query["return_to"], _appOrigin);
        if (returnTo is null && !string.IsNullOrEmpty(request.Query["return_to"]))
        {
            LogReturnToIgnored("callback");
        }

        returnTo ??= "/";
        LogSignedIn(user.Id);
        var result = Results.Redirect(returnTo);
        if ((options?.OnAfterCallback ?? _options.OnAfterCallback) is { } onAfterCallback)
        {
            result = await onAfterCallback(new AfterCallbackContext(context, user, returnTo, tokens.ExpiresAt, result));
        }

        return result;
    }

    /// <summary>
    /// The signed-in user of a request: reads the token from the <c>Authorization: Bearer</c> header or the
    /// token cookie and asks the auth server (or the cache, see <see cref="AuthClientOptions.UserCacheTime"/>).
    /// </summary>
    /// <param name="context">The end user's request.</param>
    /// <param name="cancellationToken">Defaults to the request's.</param>
    /// <returns>The user, or null when the request carries no token.</returns>
    /// <exception cref="AuthException">
    /// The session is not usable (sessionExpired, sessionInactive, sessionInvalid, sessionMissing, tokenInvalid,
    /// ...; see <see cref="AuthException.RequiresSignIn"/>), the app's origin is not whitelisted
    /// (domainInvalid), or the server is unreachable (networkError, timeout, serviceUnavailable).
    /// </exception>
    public async Task<AuthUser?> GetUserAsync(HttpContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var token = ReadAccessToken(context.Request);
        if (token is null)
        {
            return null;
        }

        // Once per request: the authentication handler and the app's own code both ask.
        if (context.Items.TryGetValue(RequestUserKey, out var memo) && memo is RequestUser known && known.Token == token)
        {
            return known.Error is null ? known.User : throw known.Error;
        }

        try
        {
            var user = await GetUserAsync(token, EndUserContext.FromRequest(context.Request, _options.UseForwardedHeaders),
                cancellationToken.CanBeCanceled ? cancellationToken : context.RequestAborted);
            context.Items[RequestUserKey] = new RequestUser(token, user, null);
            await _options.Events.UserLoaded(new UserLoadedContext(context, user));
            return user;
        }
        catch (AuthException exception)
        {
            context.Items[RequestUserKey] = new RequestUser(token, null, exception);
            throw;
        }
    }

    /// <summary>
    /// The user of an access token, for an end user known by <paramref name="endUser"/>: POST
    /// <c>/api/v1/userinfo</c>, cached per token for <see cref="AuthClientOptions.UserCacheTime"/>, retried on
    /// tooManyRequests / serviceUnavailable.
    /// </summary>
    /// <param name="accessToken">The session's access token.</param>
    /// <param name="endUser">The end user's IP, user agent and device id, forwarded to the server.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The user.</returns>
    /// <exception cref="AuthException">As for <see cref="GetUserAsync(HttpContext, CancellationToken)"/>; tokenMissing for an empty token.</exception>
    public async Task<AuthUser> GetUserAsync(string accessToken, EndUserContext endUser, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endUser);
        if (string.IsNullOrWhiteSpace(accessToken))
        {
            throw new AuthException(AuthErrorCode.TokenMissing, "No access token was given.");
        }

        accessToken = accessToken.Trim();
        var cacheTime = _options.UserCacheTime;
        var fingerprint = endUser.Ip + "\n" + endUser.UserAgent + "\n" + endUser.DeviceId;
        string? key = null;
        if (cacheTime > TimeSpan.Zero && _cache is not null)
        {
            key = CacheKey(accessToken);
            // The entry is only good for the same end user: the server's hijack checks compare exactly these.
            if (_cache.TryGetValue(key, out CachedUser? cached) && cached is not null && cached.Fingerprint == fingerprint)
            {
                LogUserFromCache();
                return cached.User;
            }
        }

        var domain = AppOrigin;
        var user = await SendAsync("userinfo", () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_baseUrl, "api/v1/userinfo?domain=" + Uri.EscapeDataString(domain)))
            {
                Content = new StringContent(accessToken, Encoding.UTF8, "text/plain"),
            };
            request.Headers.Authorization = _basic;
            request.Headers.TryAddWithoutValidation("auth-ip", endUser.Ip);
            if (!string.IsNullOrEmpty(endUser.UserAgent))
            {
                request.Headers.TryAddWithoutValidation("User-Agent", endUser.UserAgent);
            }

            if (!string.IsNullOrEmpty(endUser.DeviceId))
            {
                request.Headers.TryAddWithoutValidation("device-id", endUser.DeviceId);
            }

            return request;
        }, ReadJsonAsync<AuthUser>, safeToRetry: true, cancellationToken);

        if (key is not null)
        {
            _cache!.Set(key, new CachedUser(user, fingerprint), new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = cacheTime, Size = 1 });
        }

        return user;
    }

    /// <summary>
    /// Signs out: deletes the token cookie and, with <see cref="LogoutOptions.LogoutSessionWide"/>, ends the
    /// session on the auth server (every token of it stops working). A session that is already over is not an error.
    /// </summary>
    /// <param name="context">The request of the person signing out.</param>
    /// <param name="options">Return address and whether to end the session on the server.</param>
    /// <param name="cancellationToken">Defaults to the request's.</param>
    /// <returns>A redirect to <see cref="LogoutOptions.ReturnTo"/> when it is on the app's origin, else to <see cref="AuthClientOptions.SignedOutPath"/>, else to <c>/</c>.</returns>
    /// <exception cref="AuthException">The server could not end the session (networkError, timeout, serviceUnavailable, ...); the cookie is deleted anyway.</exception>
    public async Task<IResult> LogoutAsync(HttpContext context, LogoutOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        options ??= new LogoutOptions();
        var token = ReadAccessToken(context.Request);
        await _options.Events.SigningOut(new SigningOutContext(context, "logout", token is not null && options.LogoutSessionWide));
        ClearTokenCookie(context);
        context.Items.Remove(RequestUserKey);
        if (token is not null)
        {
            Forget(token);
            if (options.LogoutSessionWide)
            {
                await TryEndSessionAsync(token, cancellationToken.CanBeCanceled ? cancellationToken : context.RequestAborted, throwOnFailure: true);
            }
        }

        LogSignedOut(options.LogoutSessionWide);
        return Results.Redirect(LocalRedirect.ToLocalPath(options.ReturnTo, _appOrigin)
            ?? LocalRedirect.ToLocalPath(_options.SignedOutPath, _appOrigin) ?? "/");
    }

    /// <summary>Ends the session of an access token on the auth server (POST <c>/api/v1/logout</c>); idempotent.</summary>
    /// <param name="accessToken">The session's access token.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="AuthException">tokenInvalid for a token that is not this app's, or the server could not be reached.</exception>
    public async Task EndSessionAsync(string accessToken, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(accessToken))
        {
            throw new AuthException(AuthErrorCode.TokenMissing, "No access token was given.");
        }

        Forget(accessToken.Trim());
        await SendAsync("logout", () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_baseUrl, "api/v1/logout"))
            {
                Content = new StringContent(accessToken.Trim(), Encoding.UTF8, "text/plain"),
            };
            request.Headers.Authorization = _basic;
            return request;
        }, static (_, _) => Task.FromResult(true), safeToRetry: false, cancellationToken);
    }

    /// <summary>The access token of a request: the <c>Authorization: Bearer</c> header, else the token cookie; null when neither is there.</summary>
    /// <param name="request">The end user's request.</param>
    public string? ReadAccessToken(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && authorization["Bearer ".Length..].Trim() is { Length: > 0 } bearer)
        {
            return bearer;
        }

        return request.Cookies[TokenCookieName] is { } cookie && !string.IsNullOrWhiteSpace(cookie) ? cookie.Trim() : null;
    }

    /// <summary>Deletes the token cookie from the browser (the session on the server is left as it is).</summary>
    /// <param name="context">The request whose response carries the deletion.</param>
    public void ClearTokenCookie(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.Response.HasStarted)
        {
            context.Response.Cookies.Delete(TokenCookieName, CookieOptionsFor(context, "/", null));
        }
    }

    private static (string ClientId, string Secret, Uri BaseUrl, Uri Callback) Validate(AuthClientOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.ClientId))
        {
            throw ConfigurationError(AuthErrorCode.OrganizationIdMissing, "AuthClient:ClientId (the organization id) is not configured.");
        }

        if (string.IsNullOrWhiteSpace(options.Secret))
        {
            throw ConfigurationError(AuthErrorCode.SecretMissing, "AuthClient:Secret (the client secret) is not configured.");
        }

        if (string.IsNullOrWhiteSpace(options.AuthBaseUrl))
        {
            throw ConfigurationError(AuthErrorCode.AuthBaseUrlMissing, "AuthClient:AuthBaseUrl (the auth server's URL) is not configured.");
        }

        if (!Uri.TryCreate(options.AuthBaseUrl.Trim(), UriKind.Absolute, out var baseUrl) || !IsHttp(baseUrl)
            || !string.IsNullOrEmpty(baseUrl.Query) || !string.IsNullOrEmpty(baseUrl.Fragment) || !string.IsNullOrEmpty(baseUrl.UserInfo))
        {
            throw ConfigurationError(AuthErrorCode.AuthBaseUrlMissing, "AuthClient:AuthBaseUrl must be an absolute http(s) URL without query, such as https://auth.example.com.");
        }

        if (string.IsNullOrWhiteSpace(options.CallbackUrl))
        {
            throw ConfigurationError(AuthErrorCode.CallbackUrlMissing, "AuthClient:CallbackUrl (the app's callback URL) is not configured.");
        }

        if (!Uri.TryCreate(options.CallbackUrl.Trim(), UriKind.Absolute, out var callback) || !IsHttp(callback)
            || !string.IsNullOrEmpty(callback.Fragment) || !string.IsNullOrEmpty(callback.UserInfo))
        {
            throw ConfigurationError(AuthErrorCode.CallbackUrlInvalid, "AuthClient:CallbackUrl must be an absolute http(s) URL, such as https://app.example.com/api/auth/callback.");
        }

        if (options.Timeout <= TimeSpan.Zero || options.UserCacheTime < TimeSpan.Zero || options.MaxRetries < 0
            || options.MaxRetryDelay < TimeSpan.Zero || options.LoginLifetime <= TimeSpan.Zero || string.IsNullOrWhiteSpace(options.CookiePrefix))
        {
            throw ConfigurationError(AuthErrorCode.EntityInvalid,
                "AuthClient: Timeout and LoginLifetime must be positive, UserCacheTime, MaxRetries and MaxRetryDelay not negative, CookiePrefix not empty.");
        }

        var basePath = baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/");
        return (options.ClientId.Trim(), options.Secret.Trim(), basePath, callback);
    }

    private static AuthException ConfigurationError(AuthErrorCode code, string message) => new(code, message);

    private static bool IsHttp(Uri uri) => uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp;

    private static Func<HttpClient> FactoryOf(IHttpClientFactory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return () => factory.CreateClient(HttpClientName);
    }

    private static Func<HttpClient> FactoryOf(HttpClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        return () => client;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private CookieOptions CookieOptionsFor(HttpContext context, string path, DateTimeOffset? expires) => new()
    {
        HttpOnly = true,
        Secure = context.Request.IsHttps || _callbackIsHttps,
        SameSite = SameSiteMode.Lax,
        Path = path,
        Expires = expires,
        IsEssential = true,
    };

    private async Task<VerifiedTokens> VerifyAsync(string code, string verifier, CancellationToken cancellationToken)
    {
        var tokens = await SendAsync("verify", () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_baseUrl, "api/v1/verify"))
            {
                Content = new MultipartFormDataContent
                {
                    { new StringContent(code), "code" },
                    { new StringContent(_callbackUrl), "redirect_uri" },
                    { new StringContent(verifier), "code_verifier" },
                },
            };
            request.Headers.Authorization = _basic;
            return request;
        }, ReadJsonAsync<VerifiedTokens>, safeToRetry: false, cancellationToken);

        if (string.IsNullOrWhiteSpace(tokens.AccessToken))
        {
            throw new AuthException(AuthErrorCode.GenericError, "The auth server's answer to the code exchange carries no access token.");
        }

        if (tokens.ExpiresAt is null && tokens.ExpiresIn is > 0)
        {
            tokens = tokens with { ExpiresAt = _clock.GetUtcNow().AddSeconds(tokens.ExpiresIn.Value) };
        }

        return tokens;
    }

    /// <summary>The user in the id token (decrypted with the secret), else from userinfo.</summary>
    private async Task<AuthUser> UserOfAsync(VerifiedTokens tokens, EndUserContext endUser, CancellationToken cancellationToken)
    {
        var claims = Jwe.TryDecrypt(tokens.IdToken, _secret);
        if (claims is not null && Jwe.StringClaim(claims, "aud") == _clientId && claims["user"] is JsonObject userNode)
        {
            try
            {
                if (userNode.Deserialize<AuthUser>(Json) is { } user)
                {
                    return user;
                }
            }
            catch (JsonException)
            {
                // Fall back to asking the server.
            }
        }

        return await GetUserAsync(tokens.AccessToken, endUser, cancellationToken);
    }

    /// <summary>The user id (<c>sub</c>) of the token cookie, read locally; null when there is none or it cannot be read.</summary>
    private string? CurrentSubject(HttpRequest request) =>
        request.Cookies[TokenCookieName] is { } token && Jwe.TryDecrypt(token, _secret) is { } claims && Jwe.StringClaim(claims, "aud") == _clientId
            ? Jwe.StringClaim(claims, "sub")
            : null;

    private async Task TryEndSessionAsync(string accessToken, CancellationToken cancellationToken, bool throwOnFailure = false)
    {
        try
        {
            await EndSessionAsync(accessToken, cancellationToken);
        }
        catch (AuthException exception) when (exception.RequiresSignIn || !throwOnFailure)
        {
            // A session that is already over is what we wanted.
            LogEndSessionFailed(exception.ErrorCode);
        }
    }

    private void Forget(string accessToken) => _cache?.Remove(CacheKey(accessToken));

    private static string CacheKey(string accessToken) =>
        "AuthServer.Client:user:" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(accessToken)));

    private static async Task<T> ReadJsonAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken)
                ?? throw new JsonException("The answer is empty.");
        }
        catch (Exception exception) when (exception is JsonException or NotSupportedException)
        {
            throw new AuthException(AuthErrorCode.Unknown, "The auth server's answer could not be read.", errorCode: null,
                statusCode: (int)response.StatusCode, innerException: exception);
        }
    }

    /// <summary>
    /// One call to the auth server with a timeout; network failures and timeouts become their own codes. A
    /// safe call is retried on tooManyRequests / serviceUnavailable, waiting Retry-After (or a short
    /// exponential backoff), but never longer than <see cref="AuthClientOptions.MaxRetryDelay"/>.
    /// </summary>
    private async Task<T> SendAsync<T>(string operation, Func<HttpRequestMessage> createRequest,
        Func<HttpResponseMessage, CancellationToken, Task<T>> read, bool safeToRetry, CancellationToken cancellationToken, bool logMisconfiguration = true)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.Timeout);
            AuthException error;
            try
            {
                using var request = createRequest();
                using var response = await _httpClient().SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token);
                if (response.IsSuccessStatusCode)
                {
                    LogCall(operation, (int)response.StatusCode);
                    return await read(response, timeout.Token);
                }

                error = await ApiErrors.ReadAsync(response, _clock.GetUtcNow(), timeout.Token);
                LogCallFailed(operation, (int)response.StatusCode, error.ErrorCode, error.TraceId);
            }
            catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
            {
                LogCallFailed(operation, 0, AuthErrorCode.Timeout.ToWireCode(), null);
                throw new AuthException(AuthErrorCode.Timeout, "The auth server did not answer in time.", innerException: exception);
            }
            catch (HttpRequestException exception)
            {
                LogCallFailed(operation, 0, AuthErrorCode.NetworkError.ToWireCode(), null);
                throw new AuthException(AuthErrorCode.NetworkError, "The auth server could not be reached.", innerException: exception);
            }

            if (!safeToRetry || attempt >= _options.MaxRetries || error.Error is not (AuthErrorCode.TooManyRequests or AuthErrorCode.ServiceUnavailable))
            {
                throw logMisconfiguration ? Explain(operation, error) : error;
            }

            var delay = error.RetryAfter ?? Backoff(attempt);
            if (delay > _options.MaxRetryDelay)
            {
                throw error;
            }

            LogRetry(operation, error.ErrorCode, delay.TotalMilliseconds, attempt + 1);
            await Task.Delay(delay, _clock, cancellationToken);
        }
    }

    private TimeSpan Backoff(int attempt)
    {
        var milliseconds = 200 * Math.Pow(2, attempt) * (0.8 + (Random.Shared.NextDouble() * 0.4));
        var delay = TimeSpan.FromMilliseconds(milliseconds);
        return delay > _options.MaxRetryDelay ? _options.MaxRetryDelay : delay;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "AuthClient: login started (embed: {Embed}, affirm: {Affirm})")]
    private partial void LogLoginStarted(bool embed, bool affirm);

    [LoggerMessage(Level = LogLevel.Debug, Message = "AuthClient: return_to ignored on {Step}: not on the app's origin")]
    private partial void LogReturnToIgnored(string step);

    [LoggerMessage(Level = LogLevel.Debug, Message = "AuthClient: the callback carries error {ErrorCode}")]
    private partial void LogCallbackError(string errorCode);

    [LoggerMessage(Level = LogLevel.Debug, Message = "AuthClient: callback opened again by a signed-in browser; going on to return_to")]
    private partial void LogReplayedCallback();

    [LoggerMessage(Level = LogLevel.Debug, Message = "AuthClient: user {UserId} signed in")]
    private partial void LogSignedIn(string userId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "AuthClient: signed out (session-wide: {SessionWide})")]
    private partial void LogSignedOut(bool sessionWide);

    [LoggerMessage(Level = LogLevel.Debug, Message = "AuthClient: user data from the cache")]
    private partial void LogUserFromCache();

    [LoggerMessage(Level = LogLevel.Debug, Message = "AuthClient: {Operation} answered {Status}")]
    private partial void LogCall(string operation, int status);

    [LoggerMessage(Level = LogLevel.Debug, Message = "AuthClient: {Operation} failed with status {Status}, error {ErrorCode}, trace {TraceId}")]
    private partial void LogCallFailed(string operation, int status, string? errorCode, string? traceId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "AuthClient: {Operation} got {ErrorCode}; retry {Attempt} in {DelayMs} ms")]
    private partial void LogRetry(string operation, string? errorCode, double delayMs, int attempt);

    [LoggerMessage(Level = LogLevel.Debug, Message = "AuthClient: ending the session on the server failed with {ErrorCode}; ignored")]
    private partial void LogEndSessionFailed(string? errorCode);

    private sealed record CachedUser(AuthUser User, string Fingerprint);

    private sealed record RequestUser(string Token, AuthUser? User, AuthException? Error);

    private sealed record VerifiedTokens(
        [property: JsonPropertyName("access_token")] string AccessToken,
        [property: JsonPropertyName("id_token")] string? IdToken,
        [property: JsonPropertyName("expires_in")] long? ExpiresIn,
        [property: JsonPropertyName("expires_at")] DateTimeOffset? ExpiresAt);
}
