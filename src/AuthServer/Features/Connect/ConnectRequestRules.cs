using System.Collections.Immutable;
using AuthServer.Features.SignIn;
using Microsoft.Extensions.Primitives;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using Microsoft.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace AuthServer.Features.Connect;

/// <summary>
/// The sign-in core's request rules on /connect/authorize, inside OpenIddict's validation, and the redirect of
/// every authorization error once the client and its redirect URI are known to be valid.
/// </summary>
public static class ConnectRequestRules
{
    /// <summary>The request's parameters as the core reads them (duplicates arrive as arrays), with the raw query when there is one.</summary>
    public static RequestParameters ParametersOf(OpenIddictRequest request, string? rawQuery = null) =>
        RequestParameters.Read(request.GetParameters().Select(p => new KeyValuePair<string, StringValues>(p.Key, ValuesOf(p.Value))), rawQuery);

    private static StringValues ValuesOf(OpenIddictParameter parameter) =>
        (ImmutableArray<string?>?)parameter is { IsDefault: false } values ? new StringValues([.. values]) : StringValues.Empty;

    /// <summary>
    /// The rules every face shares (<see cref="AuthorizationRequestRules"/>): parameters once each, no control
    /// characters, within their lengths, state required, PKCE S256 with a 43-character challenge, no request
    /// objects. It runs after OpenIddict validated the client and the redirect URI, so an unknown client keeps
    /// OpenIddict's own answer.
    /// </summary>
    public sealed class ApplySignInRequestRules : IOpenIddictServerHandler<ValidateAuthorizationRequestContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateAuthorizationRequestContext>()
                .UseSingletonHandler<ApplySignInRequestRules>()
                .SetOrder(OpenIddictServerHandlers.Authentication.ValidateClientRedirectUri.Descriptor.Order + 500)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(ValidateAuthorizationRequestContext context)
        {
            var rawQuery = context.Transaction.GetHttpRequest()?.QueryString.Value;
            if (AuthorizationRequestRules.CheckProtocol(ParametersOf(context.Request, rawQuery)) is { } violation)
            {
                context.Reject(error: violation.OAuthError, description: violation.Description);
            }

            return default;
        }
    }

    /// <summary>
    /// RFC 6749 §4.1.2.1: once the client and redirect URI are valid, errors go back to the client (with state and
    /// iss), so the app can recover. OpenIddict redirects only requests that passed all of its validation; for
    /// those it refused (response_type, PKCE, request objects, our rules above) this restores the redirect after
    /// checking the client and the exact redirect URI again. Before that point the error page stays: never an
    /// open redirect.
    /// </summary>
    public sealed class RedirectErrorsToTrustedClients(IOpenIddictApplicationManager applications) : IOpenIddictServerHandler<ApplyAuthorizationResponseContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<ApplyAuthorizationResponseContext>()
                .UseScopedHandler<RedirectErrorsToTrustedClients>()
                // After OpenIddict inferred the response mode (it finds none without a valid response_type).
                .SetOrder(OpenIddictServerHandlers.Authentication.InferResponseMode.Descriptor.Order + 500)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public async ValueTask HandleAsync(ApplyAuthorizationResponseContext context)
        {
            if (!string.IsNullOrEmpty(context.RedirectUri) || string.IsNullOrEmpty(context.Response.Error) || context.Request is null)
            {
                return;
            }

            // A client_id or redirect_uri sent twice reads as null here: not trusted, no redirect.
            var (clientId, redirectUri) = (context.Request.ClientId, context.Request.RedirectUri);
            if (string.IsNullOrEmpty(clientId) || string.IsNullOrEmpty(redirectUri)
                || ParametersOf(context.Request) is var parameters && (parameters.IsFaulty("client_id") || parameters.IsFaulty("redirect_uri")))
            {
                return;
            }

            // An unknown response_mode leaves no way to answer the client: OpenIddict's error page it is.
            if (context.Request.ResponseMode is { Length: > 0 } mode && mode is not (ResponseModes.Query or ResponseModes.Fragment or ResponseModes.FormPost))
            {
                return;
            }

            if (await applications.FindByClientIdAsync(clientId, context.CancellationToken) is { } application
                && await applications.ValidateRedirectUriAsync(application, redirectUri, context.CancellationToken))
            {
                context.RedirectUri = redirectUri;
                context.ResponseMode ??= ResponseModes.Query;
            }
        }
    }
}
