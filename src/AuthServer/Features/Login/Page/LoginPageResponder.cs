using AuthServer.Data.Entities;
using AuthServer.Errors;
using AuthServer.Features.Organizations;
using AuthServer.Features.SignIn;
using AuthServer.Pages;
using Microsoft.AspNetCore.Antiforgery;

namespace AuthServer.Features.Login.Page;

/// <summary>What every endpoint of the hosted page does to answer: build the page for a request, show it, or send an error back to the app.</summary>
public sealed class LoginPageResponder(IAntiforgery antiforgery, LoginMethods methods, SignInFaces faces, PageContextFactory pageContexts, PageRenderer renderer)
{
    /// <summary>Errors about the person or the app's setup go back to the app; the rest are shown on the page.</summary>
    private static readonly HashSet<string> ReturnedToApp = [ErrorCatalog.NoPermission.Code, ErrorCatalog.EntityMissing.Code, ErrorCatalog.ConnectionMissing.Code];

    public LoginPageModel NewModel(HttpContext context, CachedOrganization organization, AuthorizationRequest request)
    {
        OriginRules.TryGetOrigin(request.RedirectUri, out var appOrigin);
        if (request.Embed)
        {
            EmbeddableCookieBuilder.MarkEmbedded(context);
        }

        var embedOrigin = request.Embed ? appOrigin : null;
        var page = pageContexts.For(context.Request, organization, request.UiLocales, request.Translations)
            with { EmbedOrigin = embedOrigin };
        return new LoginPageModel(page.Branding.DisplayName, page, request.Id, antiforgery.GetAndStoreTokens(context), methods.EnabledFor(organization, request))
        {
            EmbedOrigin = embedOrigin,
            Organization = organization,
            Email = request.LoginHint,
        };
    }

    public Task RenderAsync(HttpContext context, LoginPageModel model, AuthorizationRequest request, int status = StatusCodes.Status200OK)
    {
        OriginRules.TryGetOrigin(request.RedirectUri, out var appOrigin);
        return renderer.WriteAsync<LoginPage>(context, model.Page, new Dictionary<string, object> { [nameof(LoginPage.Model)] = model }, status, [appOrigin]);
    }

    /// <summary>A login method's refusal: back to the app when it is about the person or the app's setup, else on the page.</summary>
    public async Task ShowOrReturnErrorAsync(HttpContext context, AuthError error, LoginPageModel model, AuthorizationRequest request)
    {
        if (ReturnedToApp.Contains(error.Code))
        {
            context.Response.Redirect(faces.For(request).ErrorRedirect(request, new RuleViolation(error, "access_denied")));
            return;
        }

        if (error.RetryAfterSeconds is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        // A field error says what is wrong with the field; that is what the person needs to read.
        var message = error.Details is { Count: > 0 } details ? details[0].Message : error.Message;
        await RenderAsync(context, model with { Error = model.Page.Text.ErrorMessage(message) }, request, error.Status);
    }

    /// <summary>Reads the posted form after checking its anti-forgery token.</summary>
    public async Task<Outcome<IFormCollection>> ReadFormAsync(HttpContext context)
    {
        if (!context.Request.HasFormContentType)
        {
            return AuthError.EntityInvalid("body", "A form post is expected.");
        }

        try
        {
            if (!await antiforgery.IsRequestValidAsync(context))
            {
                return AuthError.EntityInvalid("__RequestVerificationToken", "The form expired. Go back to the app and start again.");
            }

            return Outcome<IFormCollection>.From(await context.Request.ReadFormAsync(context.RequestAborted));
        }
        catch (InvalidDataException)
        {
            return AuthError.EntityInvalid("body", "The form could not be read.");
        }
    }
}
