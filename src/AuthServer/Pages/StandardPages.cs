using AuthServer.Errors;

namespace AuthServer.Pages;

/// <summary>
/// The pages that belong to no login method: the error page (a catalog error a browser sees, when nothing may be
/// redirected) and a plain message. In the language the request asks for (ui_locales in the query, then
/// Accept-Language); no organization is known, so the server's own look.
/// </summary>
public sealed class StandardPages : IErrorPageRenderer
{
    public Task RenderAsync(HttpContext context, AuthError error) => ErrorAsync(context, error);

    public static Task ErrorAsync(HttpContext context, AuthError error)
    {
        context.Response.Clear();
        if (error.RetryAfterSeconds is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return Renderer(context).WriteAsync<ErrorPage>(context, ContextOf(context), new Dictionary<string, object>
        {
            [nameof(ErrorPage.Code)] = error.Code,
            [nameof(ErrorPage.Message)] = error.Message,
            [nameof(ErrorPage.TraceId)] = ErrorResponses.TraceId(context),
        }, error.Status);
    }

    /// <summary>A message page; <paramref name="strings"/> picks its heading and text from the page's strings.</summary>
    public static Task MessageAsync(HttpContext context, Func<PageText, (string Title, string Message)> strings)
    {
        var page = ContextOf(context);
        var (title, message) = strings(page.Text);
        return Renderer(context).WriteAsync<MessagePage>(context, page, new Dictionary<string, object>
        {
            [nameof(MessagePage.Title)] = title,
            [nameof(MessagePage.Message)] = message,
        });
    }

    private static PageContext ContextOf(HttpContext context) =>
        context.RequestServices.GetRequiredService<PageContextFactory>().For(context.Request, null, context.Request.Query["ui_locales"].FirstOrDefault());

    private static PageRenderer Renderer(HttpContext context) => context.RequestServices.GetRequiredService<PageRenderer>();
}
