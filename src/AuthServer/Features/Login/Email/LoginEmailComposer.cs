using System.Net;

namespace AuthServer.Features.Login.Email;

/// <summary>The sign-in email: the code, the link, or both, for one organization.</summary>
public static class LoginEmailComposer
{
    public static EmailMessage Compose(string to, string organizationName, string? code, string? link, TimeSpan lifetime)
    {
        var minutes = (int)lifetime.TotalMinutes;
        var org = WebUtility.HtmlEncode(organizationName);
        var subject = code is not null ? $"{code} is your sign-in code for {organizationName}" : $"Your sign-in link for {organizationName}";

        var text = code is not null
            ? $"Your sign-in code for {organizationName} is {code}.\n\nIt expires in {minutes} minutes. If you did not try to sign in, ignore this email."
            : $"Open this link to sign in to {organizationName}:\n\n{link}\n\nIt expires in {minutes} minutes and works once. If you did not try to sign in, ignore this email.";

        var html = code is not null
            ? $"<p>Your sign-in code for <strong>{org}</strong> is</p><p style=\"font-size:28px;letter-spacing:6px;font-weight:bold\">{code}</p><p>It expires in {minutes} minutes. If you did not try to sign in, ignore this email.</p>"
            : $"<p>Open this link to sign in to <strong>{org}</strong>:</p><p><a href=\"{WebUtility.HtmlEncode(link)}\">Sign in to {org}</a></p><p>It expires in {minutes} minutes and works once. If you did not try to sign in, ignore this email.</p>";

        return new EmailMessage(to, subject, text, html);
    }
}
