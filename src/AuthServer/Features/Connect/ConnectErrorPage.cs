using AuthServer.Pages;
using AuthServer.Errors;
using AuthServer.Features.Login.Page;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore;
using OpenIddict.Server.AspNetCore;

namespace AuthServer.Features.Connect;

/// <summary>
/// The page a browser sees when OpenIddict refuses an authorization or end-session request it must not
/// redirect (unknown client, unregistered redirect URI, malformed request): the RFC 6749 error and its
/// description, in the login page's style. Routing's and binding's 400, 404, 405 and 415 become catalog errors; other bodiless
/// statuses keep a short text answer.
/// </summary>
public static class ConnectErrorPage
{
    public static async Task RenderAsync(StatusCodeContext context)
    {
        var http = context.HttpContext;
        // A bearer challenge (userinfo) carries its error in WWW-Authenticate and no body (RFC 6750 §3):
        // it is an API answer, never a page, and its headers must stay.
        if (http.Response.Headers.WWWAuthenticate.Count > 0)
        {
            return;
        }

        var response = http.GetOpenIddictServerResponse();
        if (response?.Error is { } error && !http.Request.Path.StartsWithSegments("/api"))
        {
            var definition = new ErrorDefinition(error, http.Response.StatusCode, response.ErrorDescription ?? "The request was refused.", false);
            await StandardPages.ErrorAsync(http, new AuthError(definition, definition.Description));
            return;
        }

        // Routing's own refusals (no endpoint, another method, another content type) in the catalog's shape.
        var status = http.Response.StatusCode;
        AuthError? catalogError = status switch
        {
            StatusCodes.Status400BadRequest => AuthError.EntityInvalid("request", "The request could not be read."),
            StatusCodes.Status404NotFound => AuthError.EntityMissing("Nothing exists at this path."),
            StatusCodes.Status405MethodNotAllowed or StatusCodes.Status415UnsupportedMediaType =>
                http.RequestServices.GetRequiredService<Hosting.Http.RouteMethods>().Explain(http.Request)
                ?? (status == StatusCodes.Status415UnsupportedMediaType ? AuthError.ContentTypeInvalid("the documented content type") : AuthError.EntityMissing("Nothing exists at this path.")),
            StatusCodes.Status413PayloadTooLarge => AuthError.EntityTooLarge(Hosting.Http.RequestLimits.MaxBodyBytes),
            _ => null,
        };
        if (catalogError is not null)
        {
            await ErrorHandlingMiddleware.WriteAsync(http, catalogError, http.RequestServices.GetRequiredService<IErrorPageRenderer>());
            return;
        }

        http.Response.ContentType = "text/plain; charset=utf-8";
        await http.Response.WriteAsync($"Status code {status}.");
    }
}
