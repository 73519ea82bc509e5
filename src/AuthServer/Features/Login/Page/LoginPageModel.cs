using Microsoft.AspNetCore.Antiforgery;

namespace AuthServer.Features.Login.Page;

public enum LoginStep
{
    Email,
    Code,
    LinkSent,
}

/// <summary>Everything one rendering of the hosted page needs.</summary>
public sealed record LoginPageModel(
    string OrganizationName,
    LoginPageStrings Strings,
    LoginStep Step,
    Guid RequestId,
    AntiforgeryTokenSet Antiforgery,
    bool EmailConnection = true)
{
    public Guid? AttemptId { get; init; }
    public string? Email { get; init; }

    /// <summary>A problem with what the person entered, shown next to the field.</summary>
    public string? Error { get; init; }

    /// <summary>A message the app asked us to show (error_description on /login).</summary>
    public string? Notice { get; init; }

    /// <summary>Offer passkeys (sign-in first, registration after the email code); the script shows them where the browser can.</summary>
    public bool Passkeys { get; init; }

    /// <summary>The code step of a passkey registration: the code is checked by the script, which then creates the passkey.</summary>
    public bool RegisterPasskey { get; init; }

    /// <summary>The app origin allowed to frame the page and to receive its height (embed=1).</summary>
    public string? EmbedOrigin { get; init; }
}
