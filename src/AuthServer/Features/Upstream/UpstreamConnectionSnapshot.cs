using AuthServer.Data.Entities;
using Microsoft.AspNetCore.DataProtection;

namespace AuthServer.Features.Upstream;

/// <summary>The kinds of upstream provider, as the admin API names them.</summary>
public static class UpstreamKinds
{
    public const string Google = "google";
    public const string Microsoft = "microsoft";
    public const string GitHub = "github";
    public const string Apple = "apple";
    public const string Oidc = "oidc";

    public static readonly IReadOnlyList<string> All = [Google, Microsoft, GitHub, Apple, Oidc];

    /// <summary>The name on the button ("Continue with Google"): the provider's own, or the organization's for a generic one.</summary>
    public static string DisplayName(string kind, string? displayName) => kind switch
    {
        Google => "Google",
        Microsoft => "Microsoft",
        GitHub => "GitHub",
        Apple => "Apple",
        _ => string.IsNullOrWhiteSpace(displayName) ? "single sign-on" : displayName,
    };
}

/// <summary>
/// An upstream connection as the hot paths need it, part of the organization's cache entry
/// (<see cref="Organizations.OrganizationCache"/>): a change made on any instance is seen everywhere within the
/// cache's lifetime, without a restart. The secret is decrypted once per cache fill.
/// </summary>
public sealed record CachedUpstreamConnection(
    Guid Id,
    string Kind,
    string? DisplayName,
    string ClientId,
    string ClientSecret,
    string? Tenant,
    string? Issuer,
    string? TeamId,
    string? KeyId,
    IReadOnlyList<string> Scopes,
    bool Enabled,
    DateTimeOffset Updated)
{
    public string ButtonName => UpstreamKinds.DisplayName(Kind, DisplayName);

    public static CachedUpstreamConnection From(UpstreamConnection c, UpstreamSecrets secrets) => new(
        c.Id, c.Kind, c.DisplayName, c.ClientId, secrets.Unprotect(c.ProtectedClientSecret), c.Tenant, c.Issuer, c.TeamId, c.KeyId,
        c.Scopes, c.Enabled, c.Updated);
}

/// <summary>Upstream client secrets (Apple: the signing key) encrypted at rest with the shared Data Protection key ring.</summary>
public sealed class UpstreamSecrets(IDataProtectionProvider dataProtection)
{
    private readonly IDataProtector protector = dataProtection.CreateProtector("AuthServer.UpstreamClientSecret.v1");

    public string Protect(string secret) => protector.Protect(secret);

    public string Unprotect(string protectedSecret) => protector.Unprotect(protectedSecret);
}
