using System.Net;
using AuthServer.Pages;

namespace AuthServer.Features.Login.Email;

/// <summary>
/// The sign-in email (the code or the link) for one organization, in the page's language and with its branding:
/// the HTML body (<see cref="SignInEmailHtml"/>) and the plain-text body (<see cref="SignInEmailText"/>) are Razor
/// components rendered like the pages.
/// </summary>
public sealed partial class LoginEmailComposer(PageRenderer renderer, IServiceProvider services)
{
    /// <param name="page">The language, strings and branding (<see cref="PageContextFactory.For"/>).</param>
    /// <param name="publicOrigin">The server's public origin: an email needs absolute URLs (an uploaded logo).</param>
    public async Task<EmailMessage> ComposeAsync(PageContext page, string to, string? code, string? link, TimeSpan lifetime, string publicOrigin)
    {
        var organization = page.Branding.DisplayName;
        var parameters = new Dictionary<string, object>
        {
            [nameof(SignInEmailHtml.Code)] = code!,
            [nameof(SignInEmailHtml.Link)] = link!,
            [nameof(SignInEmailHtml.Lifetime)] = lifetime,
            [nameof(SignInEmailHtml.PublicOrigin)] = publicOrigin,
        };
        var html = await renderer.RenderAsync<SignInEmailHtml>(services, page, parameters);
        // The text body is rendered like the HTML one (values encoded), then decoded once: exactly the text.
        var text = WebUtility.HtmlDecode(await renderer.RenderAsync<SignInEmailText>(services, page, parameters));
        text = BlankLines().Replace(text.Replace("\r\n", "\n").Trim(), "\n\n") + "\n";
        var subject = code is not null
            ? page.Text.Format("emailSubjectCode", ("code", code), ("organization", organization))
            : page.Text.Format("emailSubjectLink", ("organization", organization));
        return new EmailMessage(to, subject, text, html);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\n[ \t]*(\n[ \t]*)+")]
    private static partial System.Text.RegularExpressions.Regex BlankLines();
}
