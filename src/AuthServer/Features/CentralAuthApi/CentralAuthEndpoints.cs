using AuthServer.Data;
using AuthServer.Data.Entities;
using AuthServer.Errors;
using AuthServer.Features.Login;
using AuthServer.Features.Organizations;
using AuthServer.Features.Sessions;
using AuthServer.Features.SignIn;

namespace AuthServer.Features.CentralAuthApi;

/// <summary>The JSON body of POST /api/v1/authenticate_direct.</summary>
public sealed class AuthenticateDirectRequest
{
    public string? Email { get; init; }
    public string? State { get; init; }

    [System.Text.Json.Serialization.JsonPropertyName("redirect_uri")]
    public string? RedirectUri { get; init; }

    public System.Text.Json.JsonElement? Translations { get; init; }
}

/// <summary>The CentralAuth-style JSON API (docs/protocol.md §2-5). Every call authenticates the app with Basic credentials.</summary>
public static class CentralAuthEndpoints
{
    public static IEndpointRouteBuilder MapCentralAuthApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").DisableAntiforgery();
        api.MapPost("/verify", VerifyAsync).WithName("Verify").WithSummary("Exchanges the login code for the session's tokens.");
        api.MapPost("/userinfo", UserInfoAsync).WithName("UserInfo").WithSummary("Checks the session of an access token and returns its user.");
        api.MapPost("/logout", LogoutAsync).WithName("Logout").WithSummary("Ends the session of an access token.");
        api.MapClientCheck();
        api.MapPost("/authenticate_direct", AuthenticateDirectAsync).WithName("AuthenticateDirect").WithSummary("Emails a sign-in link without the login page.");
        return app;
    }

    private static async Task<IResult> VerifyAsync(HttpContext context, ClientAuthenticator clients, CodeExchangeService exchange, CancellationToken cancellationToken)
    {
        var client = await clients.AuthenticateBasicAsync(context.Request, cancellationToken);
        if (client.Failed)
        {
            return client.Error!.ToResult();
        }

        if (!context.Request.HasFormContentType)
        {
            return AuthError.MissingFields("code", "redirect_uri", "code_verifier").ToResult();
        }

        var form = await context.Request.ReadFormAsync(cancellationToken);
        string? code = form["code"], redirectUri = form["redirect_uri"], verifier = form["code_verifier"];
        var missing = new[] { ("code", code), ("redirect_uri", redirectUri), ("code_verifier", verifier) }
            .Where(f => string.IsNullOrEmpty(f.Item2)).Select(f => f.Item1).ToArray();
        // authenticate_direct codes carry no challenge; their apps have no verifier to send.
        if (missing.Except(["code_verifier"]).Any())
        {
            return AuthError.MissingFields(missing).ToResult();
        }

        var result = await exchange.ExchangeAsync(client.Value!, code!, redirectUri!, verifier, cancellationToken);
        return result.Failed ? result.Error!.ToResult() : Results.Json(result.Value);
    }

    private static async Task<IResult> UserInfoAsync(HttpContext context, string? domain, ClientAuthenticator clients, SessionValidator validator,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        var client = await clients.AuthenticateBasicAsync(context.Request, cancellationToken);
        if (client.Failed)
        {
            return client.Error!.ToResult();
        }

        var organization = client.Value!;
        if (!IsAllowedDomain(organization, domain))
        {
            return AuthError.DomainInvalid().ToResult();
        }

        var token = await CentralAuthSessionToken.ReadAsync(context.Request, organization);
        if (token.Failed)
        {
            return token.Error!.ToResult();
        }

        var session = await validator.ValidateAsync(token.Value.SessionId, organization, ClientContext.FromForwardingApp(context.Request), cancellationToken);
        if (session.Failed)
        {
            return session.Error!.ToResult();
        }

        if (clock.GetUtcNow().ToUnixTimeSeconds() >= token.Value.Expires)
        {
            return AuthError.TokenInvalid().ToResult();
        }

        return Results.Json(UserView.From(session.Value!.User!));
    }

    private static async Task<IResult> LogoutAsync(HttpContext context, ClientAuthenticator clients, SessionService sessions, CancellationToken cancellationToken)
    {
        var client = await clients.AuthenticateBasicAsync(context.Request, cancellationToken);
        if (client.Failed)
        {
            return client.Error!.ToResult();
        }

        var token = await CentralAuthSessionToken.ReadAsync(context.Request, client.Value!);
        if (token.Failed)
        {
            return token.Error!.ToResult();
        }

        await sessions.EndAsync(token.Value.SessionId, "logout", cancellationToken);
        return Results.Json(new { success = true });
    }

    private static async Task<IResult> AuthenticateDirectAsync(HttpContext context, AuthenticateDirectRequest? body, ClientAuthenticator clients,
        AuthDbContext db, AuthorizationRequestService requests, LoginAttemptService attempts, CancellationToken cancellationToken)
    {
        var client = await clients.AuthenticateBasicAsync(context.Request, cancellationToken);
        if (client.Failed)
        {
            return client.Error!.ToResult();
        }

        var missing = new[] { ("email", body?.Email), ("state", body?.State), ("redirect_uri", body?.RedirectUri) }
            .Where(f => string.IsNullOrWhiteSpace(f.Item2)).Select(f => f.Item1).ToArray();
        if (missing.Length > 0)
        {
            return AuthError.MissingFields(missing).ToResult();
        }

        // The same rules as a browser's request, for the parameters this call has (no PKCE: the app is
        // authenticated with its secret and receives the code on its own callback).
        var organization = client.Value!;
        var parameters = RequestParameters.Read(("email", body!.Email), ("state", body.State), ("redirect_uri", body.RedirectUri),
            ("translations", TranslationsParameter(body.Translations)));
        var problem = parameters.Fault
            ?? AuthorizationRequestService.CheckRedirectUri(organization, body.RedirectUri)
            ?? AuthorizationRequestRules.CheckState(parameters["state"])?.Error;
        if (problem is not null)
        {
            return problem.ToResult();
        }

        var request = requests.Create(organization, AuthorizationFace.CentralAuth, parameters, protocolQuery: null);
        db.AuthorizationRequests.Add(request);
        var forwarded = ClientContext.FromForwardingApp(context.Request);
        var clientContext = forwarded with { Ip = forwarded.Ip ?? context.Connection.RemoteIpAddress?.ToString() };
        // The person completes in the email itself, so it always carries a link.
        var started = await attempts.StartAsync(organization, request, body.Email, clientContext, EmailLoginType.Link, cancellationToken);
        return started.Failed
            ? started.Error!.ToResult()
            : Results.Json(new { loginAttemptId = started.Value!.Attempt.Id, allowedDate = started.Value.AllowedDate });
    }

    /// <summary>
    /// `translations` as the login page takes it (base64 of a JSON object), or the JSON object itself, which is what a
    /// JSON body naturally holds. Either way it overrides the email's strings; anything else is ignored, as an
    /// undecodable value is on the login page.
    /// </summary>
    private static string? TranslationsParameter(System.Text.Json.JsonElement? translations) => translations?.ValueKind switch
    {
        System.Text.Json.JsonValueKind.String => translations.Value.GetString(),
        System.Text.Json.JsonValueKind.Object => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(translations.Value.GetRawText())),
        _ => null,
    };

    /// <summary>The `domain` is the app's origin; a bare host name is read as https.</summary>
    internal static bool IsAllowedDomain(CachedOrganization organization, string? domain)
    {
        if (string.IsNullOrWhiteSpace(domain))
        {
            return false;
        }

        var candidate = domain.Contains("://", StringComparison.Ordinal) ? domain : "https://" + domain;
        return OriginRules.TryGetOrigin(candidate, out var origin) && OriginRules.IsAllowed(organization, origin);
    }
}
