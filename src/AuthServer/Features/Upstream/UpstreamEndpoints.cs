using AuthServer.Data.Entities;
using AuthServer.Errors;
using AuthServer.Features.Login.Page;
using AuthServer.Features.Organizations;
using AuthServer.Features.Sessions;
using AuthServer.Pages;
using AuthServer.Features.SignIn;
using Microsoft.AspNetCore.Authentication;
using OpenIddict.Client.AspNetCore;

namespace AuthServer.Features.Upstream;

/// <summary>
/// GET /login/upstream/{connection}?request=… starts the provider's authorization request (OpenIddict's
/// challenge: PKCE, state, nonce); /login/upstream/{connection}/callback is where the provider sends the person
/// back (GET, or POST for Apple's form_post): OpenIddict validates the answer (state, code exchange, ID token),
/// then <see cref="UpstreamSignInService"/> signs the person in. Failures show the login page again with the
/// error, so the person can choose another method.
/// </summary>
public static class UpstreamEndpoints
{
    private const string RequestProperty = "authserver.request";

    public static IEndpointRouteBuilder MapUpstream(this IEndpointRouteBuilder app)
    {
        var upstream = app.MapGroup(UpstreamSetup.PathPrefix).ExcludeFromDescription().DisableAntiforgery();
        upstream.MapGet("/{connectionId:guid}", StartAsync);
        upstream.MapMethods("/{connectionId:guid}/callback", [HttpMethods.Get, HttpMethods.Post], CallbackAsync);
        return app;
    }

    private static async Task StartAsync(HttpContext context, Guid connectionId, Guid? request, AuthorizationRequestService requests, UpstreamRegistrations registrations,
        UpstreamLoginMethod method, UpstreamPendingCookie pending, UpstreamSignInService signIn, LoginPageResponder pages, SignInFaces faces, ILogger<UpstreamLoginMethod> logger,
        CancellationToken cancellationToken)
    {
        context.Response.Headers.CacheControl = "no-store";
        var loaded = await requests.LoadAsync(request, cancellationToken);
        if (loaded.Failed)
        {
            await StandardPages.ErrorAsync(context, loaded.Error!);
            return;
        }

        var (organization, authorization) = loaded.Value;
        var connection = organization.UpstreamConnections.FirstOrDefault(c => c.Id == connectionId);
        if (connection is not { Enabled: true } || !method.IsEnabled(organization, authorization))
        {
            await ShowAsync(context, AuthError.ConnectionMissing(), organization, authorization, pages, faces);
            return;
        }

        var registration = registrations.Registration(connection);
        try
        {
            // Discovery first: an unreachable provider is an error on our page, not a broken redirect.
            await registration.ConfigurationManager!.GetConfigurationAsync(cancellationToken);
            pending.Issue(context, connectionId, authorization.Id);
            await context.ChallengeAsync(OpenIddictClientAspNetCoreDefaults.AuthenticationScheme, new AuthenticationProperties(new Dictionary<string, string?>
            {
                [OpenIddictClientAspNetCoreConstants.Properties.RegistrationId] = registration.RegistrationId,
                [RequestProperty] = authorization.Id.ToString("N"),
            }));
            if (context.Items[UpstreamCallbacks.ChallengeErrorItem] is string refused)
            {
                // The provider refused the authorization request itself (e.g. a pushed request with a wrong secret).
                logger.LogWarning("Upstream connection {Connection} ({Kind}) refused the authorization request: {Reason}", connectionId, connection.Kind, refused);
                context.Response.Clear();
                await signIn.RecordAsync(connectionId, AuthError.UpstreamSignInFailed(), null, ClientContext.FromBrowser(context).Ip);
                await ShowAsync(context, AuthError.UpstreamSignInFailed(), organization, authorization, pages, faces);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Upstream connection {Connection} ({Kind}) could not start a sign-in: {Reason}", connectionId, connection.Kind, Reason(exception));
            context.Response.Clear();
            await signIn.RecordAsync(connectionId, AuthError.UpstreamUnavailable(), null, ClientContext.FromBrowser(context).Ip);
            await ShowAsync(context, AuthError.UpstreamUnavailable(), organization, authorization, pages, faces);
        }
    }

    private static async Task CallbackAsync(HttpContext context, Guid connectionId, AuthorizationRequestService requests, UpstreamRegistrations registrations,
        UpstreamAccountReader reader, UpstreamSignInService signIn, UpstreamPendingCookie pending, SessionCookie sessionCookie,
        LoginPageResponder pages, SignInFaces faces, ILogger<UpstreamLoginMethod> logger, CancellationToken cancellationToken)
    {
        context.Response.Headers.CacheControl = "no-store";
        var client = ClientContext.FromBrowser(context);
        AuthenticateResult result;
        try
        {
            result = await context.AuthenticateAsync(OpenIddictClientAspNetCoreDefaults.AuthenticationScheme);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The token endpoint, the keys or userinfo unreachable, or an answer OpenIddict cannot read.
            logger.LogWarning("Upstream connection {Connection}: the answer could not be completed: {Reason}", connectionId, Reason(exception));
            await FailAsync(AuthError.UpstreamUnavailable(), null);
            return;
        }

        var requestId = Guid.TryParseExact(result.Properties?.GetString(RequestProperty), "N", out var fromState) ? fromState : (Guid?)null;
        if (!result.Succeeded || result.Principal is null)
        {
            // The provider's answer (error, description) is logged; its tokens never are (OpenIddict keeps them in the properties).
            var properties = result.Properties;
            logger.LogWarning("Upstream connection {Connection} refused the sign-in: {Error} {Description} ({Failure})", connectionId,
                properties?.GetString(OpenIddictClientAspNetCoreConstants.Properties.Error),
                properties?.GetString(OpenIddictClientAspNetCoreConstants.Properties.ErrorDescription), result.Failure?.Message);
            await FailAsync(AuthError.UpstreamSignInFailed(), requestId);
            return;
        }

        var (_, connection) = await registrations.FindAsync(connectionId, cancellationToken);
        var accessToken = result.Properties?.GetTokenValue(OpenIddictClientAspNetCoreConstants.Tokens.BackchannelAccessToken);
        var account = connection is null ? null : await reader.ReadAsync(connection.Kind, result.Principal, accessToken, cancellationToken);
        if (account is null || requestId is null)
        {
            logger.LogWarning("Upstream connection {Connection}: the answer names no usable account", connectionId);
            await FailAsync(AuthError.UpstreamSignInFailed(), requestId);
            return;
        }

        // Completed or not, this callback is spent: the state token is single-use.
        pending.Clear(context);
        var completed = await signIn.CompleteAsync(connectionId, requestId.Value, account, client, cancellationToken);
        if (completed.Failed)
        {
            logger.LogInformation("Upstream connection {Connection}: sign-in refused with {ErrorCode}", connectionId, completed.Error!.Code);
            await ShowForRequestAsync(completed.Error!, requestId);
            return;
        }

        sessionCookie.Issue(context, completed.Value!.SessionId);
        context.Response.Redirect(completed.Value.RedirectUrl);
        return;

        async Task FailAsync(AuthError error, Guid? fromStateToken)
        {
            await signIn.RecordAsync(connectionId, error, null, client.Ip);
            await ShowForRequestAsync(error, fromStateToken ?? pending.Read(context, connectionId));
        }

        async Task ShowForRequestAsync(AuthError error, Guid? request)
        {
            var loaded = request is null ? AuthError.EntityMissing("The login page this sign-in started from is no longer known.") : await requests.LoadAsync(request, cancellationToken);
            if (loaded.Failed)
            {
                await StandardPages.ErrorAsync(context, error);
                return;
            }

            await ShowAsync(context, error, loaded.Value.Organization, loaded.Value.Request, pages, faces);
        }
    }

    /// <summary>
    /// The login page again with the error above the methods. A refusal about the person or the app's setup
    /// (blocked, sign-up closed, method disabled) goes back to the app instead, in its face's vocabulary.
    /// </summary>
    private static async Task ShowAsync(HttpContext context, AuthError error, CachedOrganization organization, AuthorizationRequest request, LoginPageResponder pages, SignInFaces faces)
    {
        if (error.Code == ErrorCatalog.NoPermission.Code || error.Code == ErrorCatalog.EntityMissing.Code || error.Code == ErrorCatalog.ConnectionMissing.Code)
        {
            context.Response.Redirect(faces.For(request).ErrorRedirect(request, new RuleViolation(error, "access_denied")));
            return;
        }

        var model = pages.NewModel(context, organization, request) with { Notice = error.Message };
        await pages.RenderAsync(context, model, request, error.Status);
    }

    /// <summary>What went wrong, without anything the provider sent that could be a token.</summary>
    private static string Reason(Exception exception) => exception switch
    {
        OpenIddict.Abstractions.OpenIddictExceptions.ProtocolException protocol => $"{protocol.Error}: {protocol.ErrorDescription}",
        _ => $"{exception.GetType().Name}: {exception.Message}",
    };
}
