namespace AuthServer.Data.Entities;

/// <summary>Which protocol face started a sign-in.</summary>
public enum AuthorizationFace
{
    /// <summary>The CentralAuth-style GET /login.</summary>
    CentralAuth = 0,

    /// <summary>The standard /connect/authorize endpoint.</summary>
    OpenIdConnect = 1,
}

/// <summary>Where a sign-in stands.</summary>
public enum AuthorizationRequestStatus
{
    /// <summary>The login page is usable until <see cref="AuthorizationRequest.ExpiresAt"/>.</summary>
    Pending = 0,

    /// <summary>A login method signed the person in; the request cannot be used again.</summary>
    Completed = 1,

    /// <summary>Its lifetime ran out before anyone signed in. Not stored: derived from ExpiresAt (AuthorizationRequestService.StatusOf).</summary>
    Expired = 2,
}

/// <summary>
/// One validated authorization request, whichever face it came from. Login methods (emailed code,
/// passkey) run against it; it is persisted so a sign-in can finish on another server instance.
/// </summary>
public sealed class AuthorizationRequest
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public AuthorizationFace Face { get; set; }
    public required string RedirectUri { get; set; }
    public required string State { get; set; }
    public required string CodeChallenge { get; set; }
    public string? Nonce { get; set; }

    /// <summary>The address the page opens with (login_hint on /connect/authorize, email on /login), when it is one.</summary>
    public string? LoginHint { get; set; }
    public string? Scope { get; set; }
    public bool Affirm { get; set; }
    public bool Embed { get; set; }

    /// <summary>The app's ui_locales (space-separated language tags, preferred first): the pages' and email's language.</summary>
    public string? UiLocales { get; set; }

    /// <summary>UI strings the app overrides (the decoded `translations` parameter), as JSON.</summary>
    public string? Translations { get; set; }

    /// <summary>For the OIDC face: the original query, replayed to OpenIddict once the user is signed in.</summary>
    public string? ProtocolQuery { get; set; }

    public DateTimeOffset Created { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public AuthorizationRequestStatus Status { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
}
