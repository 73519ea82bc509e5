using AuthServer.Data.Entities;

namespace AuthServer.Features.Organizations;

/// <summary>
/// An immutable snapshot of an organization as the hot paths need it, with its secrets decrypted once
/// per cache fill instead of once per request.
/// </summary>
public sealed record CachedOrganization(
    Guid Id,
    string Name,
    string Secret,
    string? PendingSecret,
    IReadOnlySet<string> WhitelistedOrigins,
    IReadOnlySet<string> RedirectUris,
    OrganizationSettings Settings,
    OrganizationConnections Connections,
    OrganizationBranding Branding)
{
    /// <summary>The organization's upstream providers (Google, Microsoft, GitHub, Apple, OpenID Connect), enabled or not.</summary>
    public IReadOnlyList<Upstream.CachedUpstreamConnection> UpstreamConnections { get; init; } = [];

    /// <summary>The secrets a client may authenticate with: the active one and, during a rotation, the pending one.</summary>
    public IEnumerable<string> AcceptedSecrets => PendingSecret is null ? [Secret] : [Secret, PendingSecret];
}
