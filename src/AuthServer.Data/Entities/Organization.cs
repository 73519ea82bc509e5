namespace AuthServer.Data.Entities;

/// <summary>
/// A tenant: one app (or family of apps) whose users sign in here. Its id is the OAuth client_id.
/// </summary>
public sealed class Organization
{
    public Guid Id { get; set; }
    public required string Name { get; set; }

    /// <summary>
    /// The client secret, encrypted at rest with Data Protection. It cannot be hashed: the
    /// CentralAuth-style face encrypts tokens with the secret itself (see docs/protocol.md).
    /// </summary>
    public required string ProtectedSecret { get; set; }

    /// <summary>A rotated secret waiting for activation; both are accepted until then.</summary>
    public string? PendingProtectedSecret { get; set; }
    public DateTimeOffset? PendingSecretCreated { get; set; }

    /// <summary>Origins (scheme://host[:port]) an app's callback may live on.</summary>
    public List<string> WhitelistedOrigins { get; set; } = [];

    /// <summary>Exact redirect URIs for the standard /connect/authorize face.</summary>
    public List<string> RedirectUris { get; set; } = [];

    public OrganizationSettings Settings { get; set; } = new();
    public OrganizationConnections Connections { get; set; } = new();

    /// <summary>How its pages and emails look (name, logo, colour, help, language, strings).</summary>
    public OrganizationBranding Branding { get; set; } = new();

    public DateTimeOffset Created { get; set; }
    public DateTimeOffset Updated { get; set; }
}

public enum EmailLoginType
{
    Code = 0,
    Link = 1,
}

/// <summary>Per-organization behaviour of sign-in and sessions.</summary>
public sealed class OrganizationSettings
{
    /// <summary>Longest a session may live, in seconds.</summary>
    public int MaxSessionTime { get; set; } = 30 * 24 * 3600;

    /// <summary>Longest a session may stay unused, in seconds.</summary>
    public int MaxInactivityTime { get; set; } = 7 * 24 * 3600;

    public bool EnableUserCreation { get; set; } = true;
    public bool AllowLocalhost { get; set; }

    /// <summary>Hijack protection: the session is bound to the IP / user agent / device id it started with.</summary>
    public bool CheckIp { get; set; }
    public bool CheckUserAgent { get; set; }
    public bool CheckDeviceId { get; set; }

    public EmailLoginType DefaultEmailLoginType { get; set; } = EmailLoginType.Code;

    /// <summary>
    /// Emails sent or codes refused per IP or per address within Login:RateLimitWindow after which the email step
    /// asks for a proof of work (its difficulty rises with the count); 0 never asks.
    /// </summary>
    public int ProofOfWorkThreshold { get; set; } = 10;
}

/// <summary>Which login methods are enabled.</summary>
public sealed class OrganizationConnections
{
    public bool Email { get; set; } = true;
    public bool Passkey { get; set; } = true;
}

/// <summary>
/// The organization's look on its pages and emails; every field optional. An uploaded logo lives in
/// <see cref="OrganizationLogo"/>, named here by its content hash (the URL changes when the image does).
/// </summary>
public sealed class OrganizationBranding
{
    /// <summary>The name shown to people; the organization's name when null.</summary>
    public string? DisplayName { get; set; }

    /// <summary>An https URL of a logo hosted elsewhere (allowed by the pages' CSP); ignored while an uploaded logo exists.</summary>
    public string? LogoUrl { get; set; }

    /// <summary>SHA-256 (hex) of the uploaded logo, part of its URL; null without one.</summary>
    public string? LogoHash { get; set; }

    /// <summary>#rrggbb, checked for contrast against the text drawn on it.</summary>
    public string? AccentColor { get; set; }

    /// <summary>#ffffff or #000000: the text drawn on the accent colour.</summary>
    public string? AccentTextColor { get; set; }

    public string? SupportEmail { get; set; }
    public string? SupportUrl { get; set; }

    /// <summary>The language (en, nl, de) when neither the app nor the browser asks for one we have.</summary>
    public string? DefaultLanguage { get; set; }

    /// <summary>Per-language overrides of page and email strings, as JSON: {"nl": {"loginPageIntro": "..."}}.</summary>
    public string? StringOverrides { get; set; }
}

/// <summary>An uploaded logo (PNG, JPEG or WebP, checked by its bytes), served at a URL holding its hash.</summary>
public sealed class OrganizationLogo
{
    public Guid OrganizationId { get; set; }
    public required string ContentType { get; set; }
    public required byte[] Content { get; set; }
    public required string Hash { get; set; }
    public DateTimeOffset Created { get; set; }
}
