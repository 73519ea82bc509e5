using System.Net;
using AuthServer.Features.Login.Email;

namespace AuthServer.Features.Login.Lockout;

/// <summary>The one email an address gets when its budget of wrong codes is spent. It carries no code or link.</summary>
public static class LockedEmailComposer
{
    public static EmailMessage Compose(string to, string organizationName, int budget)
    {
        var org = WebUtility.HtmlEncode(organizationName);
        var subject = $"Sign-in by email to {organizationName} is locked";
        var text = $"""
            Someone entered {budget} wrong sign-in codes in a row for this address at {organizationName}, so sign-in by emailed code or link is now locked for it.

            If that was you: sign in with a passkey if you have one, or ask the administrator of {organizationName} to unlock your address.
            If it was not you: nobody got in. Your account stays protected; the administrator can unlock it when you ask.
            """;
        var html = $"<p>Someone entered {budget} wrong sign-in codes in a row for this address at <strong>{org}</strong>, so sign-in by emailed code or link is now locked for it.</p>"
            + $"<p>If that was you: sign in with a passkey if you have one, or ask the administrator of <strong>{org}</strong> to unlock your address.</p>"
            + "<p>If it was not you: nobody got in. Your account stays protected; the administrator can unlock it when you ask.</p>";
        return new EmailMessage(to, subject, text, html);
    }
}
