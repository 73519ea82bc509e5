namespace AuthServer.Data.Entities;

/// <summary>
/// An organization's sign-in through another identity provider (Google, Microsoft, GitHub, Apple or any
/// OpenID Connect issuer): the organization's own client registered there. The client secret (Apple: the
/// PKCS#8 signing key) is encrypted with Data Protection, never stored readable.
/// </summary>
public sealed class UpstreamConnection
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }

    /// <summary>"google", "microsoft", "github", "apple" or "oidc".</summary>
    public required string Kind { get; set; }

    /// <summary>The button's name for a generic OpenID Connect provider ("Acme SSO"); named providers use their own.</summary>
    public string? DisplayName { get; set; }

    public required string ClientId { get; set; }
    public required string ProtectedClientSecret { get; set; }

    /// <summary>Microsoft: the Entra tenant id or domain, or "common", "organizations", "consumers".</summary>
    public string? Tenant { get; set; }

    /// <summary>Generic OpenID Connect: the issuer, whose discovery document describes the rest.</summary>
    public string? Issuer { get; set; }

    /// <summary>Apple: the developer team id and the id of the signing key (the secret).</summary>
    public string? TeamId { get; set; }
    public string? KeyId { get; set; }

    /// <summary>Scopes asked for besides the provider's defaults.</summary>
    public string[] Scopes { get; set; } = [];

    public bool Enabled { get; set; } = true;
    public DateTimeOffset Created { get; set; }
    public DateTimeOffset Updated { get; set; }
}

/// <summary>
/// A user's account at an upstream provider: the provider's subject, so a later change of the email there
/// still finds the same user here.
/// </summary>
public sealed class LinkedIdentity
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public Guid UserId { get; set; }
    public Guid ConnectionId { get; set; }

    /// <summary>The provider's stable id of the account (the ID token's sub; GitHub: the numeric user id).</summary>
    public required string Subject { get; set; }

    /// <summary>The email the provider last gave (informational).</summary>
    public string? Email { get; set; }

    public DateTimeOffset Created { get; set; }
    public DateTimeOffset LastUsed { get; set; }
}
