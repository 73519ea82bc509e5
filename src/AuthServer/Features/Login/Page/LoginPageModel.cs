using AuthServer.Features.SignIn;
using AuthServer.Pages;
using Microsoft.AspNetCore.Antiforgery;

namespace AuthServer.Features.Login.Page;

/// <summary>Everything one rendering of the hosted page needs.</summary>
public sealed record LoginPageModel(
    string OrganizationName,
    PageContext Page,
    Guid RequestId,
    AntiforgeryTokenSet Antiforgery,
    IReadOnlyList<ILoginMethod> Methods)
{
    /// <summary>The organization the page is for (login methods read their per-organization setup from it).</summary>
    public Organizations.CachedOrganization? Organization { get; init; }

    /// <summary>
    /// A later step of one login method, drawn instead of the methods' first fragments: a component deriving
    /// from <see cref="LoginPageComponent"/> (the code form, "check your email").
    /// </summary>
    public Type? Step { get; init; }

    public Guid? AttemptId { get; init; }

    /// <summary>The link step: the number a link opened on another device shows too.</summary>
    public string? ApprovalNumber { get; init; }

    /// <summary>The email step asks the page's script for a proof of work first.</summary>
    public Challenge.ProofOfWorkPuzzle? ProofOfWork { get; init; }

    /// <summary>The link step: how long the page waits for an approval, in seconds.</summary>
    public int WaitSeconds { get; init; }
    public string? Email { get; init; }

    /// <summary>A problem with what the person entered, shown next to the field.</summary>
    public string? Error { get; init; }

    /// <summary>A message the app asked us to show (error_description on /login).</summary>
    public string? Notice { get; init; }

    /// <summary>Whether a method of this name is offered on this page.</summary>
    public bool Offers(string method) => Methods.Any(m => m.Name == method);

    /// <summary>The code step of a passkey registration: the code is checked by the script, which then creates the passkey.</summary>
    public bool RegisterPasskey { get; init; }

    /// <summary>The app origin allowed to frame the page and to receive its height (embed=1).</summary>
    public string? EmbedOrigin { get; init; }
}
