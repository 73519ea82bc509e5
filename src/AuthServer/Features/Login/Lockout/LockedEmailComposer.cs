using System.Net;
using AuthServer.Features.Login.Email;
using AuthServer.Hosting;
using AuthServer.Pages;
using Microsoft.Extensions.Options;

namespace AuthServer.Features.Login.Lockout;

/// <summary>
/// The one email an address gets when its budget of wrong codes is spent. It carries no code or link. In the
/// login page's language and the organization's branding, rendered like the sign-in email
/// (<see cref="LockedEmailHtml"/>, <see cref="LockedEmailText"/>).
/// </summary>
public sealed partial class LockedEmailComposer(PageRenderer renderer, IServiceProvider services, IOptions<ServerOptions> server)
{
    public async Task<EmailMessage> ComposeAsync(PageContext page, string to, int budget)
    {
        var parameters = new Dictionary<string, object>
        {
            [nameof(LockedEmailHtml.Budget)] = budget,
            [nameof(LockedEmailHtml.PublicOrigin)] = server.Value.PublicOrigin,
        };
        var html = await renderer.RenderAsync<LockedEmailHtml>(services, page, parameters);
        // Rendered like the HTML body (values encoded), then decoded once: exactly the text.
        var text = WebUtility.HtmlDecode(await renderer.RenderAsync<LockedEmailText>(services, page, parameters));
        text = BlankLines().Replace(text.Replace("\r\n", "\n").Trim(), "\n\n") + "\n";
        var subject = page.Text.Format("emailLockedSubject", ("organization", page.Branding.DisplayName));
        return new EmailMessage(to, subject, text, html);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\n[ \t]*(\n[ \t]*)+")]
    private static partial System.Text.RegularExpressions.Regex BlankLines();
}
