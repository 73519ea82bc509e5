using System.Globalization;
using AuthServer.Features.Login.Page;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;

namespace AuthServer.Pages;

/// <summary>
/// Renders Razor components to HTML with ASP.NET Core's <see cref="HtmlRenderer"/> (every value encoded by the
/// renderer, no hand-built markup), for pages and for emails. <see cref="WriteAsync{TComponent}"/> answers a
/// request with a page and the hosted pages' security headers (<see cref="PageSecurityHeaders"/>).
/// </summary>
public sealed class PageRenderer(ILoggerFactory loggerFactory)
{
    /// <summary>
    /// The component's HTML. <paramref name="parameters"/> are the component's own; the <see cref="PageContext"/>
    /// reaches it and everything below it as a cascading parameter.
    /// </summary>
    public async Task<string> RenderAsync<TComponent>(IServiceProvider services, PageContext page, IDictionary<string, object>? parameters = null)
        where TComponent : IComponent
    {
        await using var renderer = new HtmlRenderer(services, loggerFactory);
        return await renderer.Dispatcher.InvokeAsync(async () =>
        {
            // Number and date formatting inside components follows the page's language too.
            var (culture, uiCulture) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
            CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = page.Culture;
            try
            {
                var output = await renderer.RenderComponentAsync<PageHost>(ParameterView.FromDictionary(new Dictionary<string, object?>
                {
                    [nameof(PageHost.Context)] = page,
                    [nameof(PageHost.Component)] = typeof(TComponent),
                    [nameof(PageHost.Parameters)] = parameters,
                }));
                return output.ToHtmlString();
            }
            finally
            {
                (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (culture, uiCulture);
            }
        });
    }

    /// <summary>
    /// Answers with the page: the strict CSP (forms may post to <paramref name="formTargets"/>, only the embed
    /// origin may frame it), no caching, the status, then the HTML.
    /// </summary>
    public async Task WriteAsync<TComponent>(HttpContext context, PageContext page, IDictionary<string, object>? parameters = null,
        int status = StatusCodes.Status200OK, IEnumerable<string>? formTargets = null)
        where TComponent : IComponent
    {
        var html = await RenderAsync<TComponent>(context.RequestServices, page, parameters);
        PageSecurityHeaders.Apply(context.Response, formTargets ?? [], page.EmbedOrigin is null ? [] : [page.EmbedOrigin], LogoOrigin(page.Branding.LogoUrl));
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers.ContentLanguage = page.Lang;
        await context.Response.WriteAsync(html, context.RequestAborted);
    }

    /// <summary>An https logo hosted elsewhere is allowed by its origin; an uploaded one is ours ('self').</summary>
    private static string[] LogoOrigin(string? logoUrl) =>
        Uri.TryCreate(logoUrl, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps ? [uri.GetLeftPart(UriPartial.Authority)] : [];
}
