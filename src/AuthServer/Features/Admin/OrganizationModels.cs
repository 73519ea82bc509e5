using AuthServer.Data.Entities;

namespace AuthServer.Features.Admin;

/// <summary>Sign-in and session behaviour; in a request every field is optional (absent = unchanged or default).</summary>
public sealed class OrganizationSettingsInput
{
    public int? MaxSessionTime { get; init; }
    public int? MaxInactivityTime { get; init; }
    public bool? EnableUserCreation { get; init; }
    public bool? AllowLocalhost { get; init; }
    public bool? CheckIp { get; init; }
    public bool? CheckUserAgent { get; init; }
    public bool? CheckDeviceId { get; init; }

    /// <summary>"code" or "link".</summary>
    public string? DefaultEmailLoginType { get; init; }

    /// <summary>Emails or wrong codes per IP or address in Login:RateLimitWindow after which the email step asks for a proof of work; 0 never.</summary>
    public int? ProofOfWorkThreshold { get; init; }
}

public sealed class OrganizationConnectionsInput
{
    public bool? Email { get; init; }
    public bool? Passkey { get; init; }
}

/// <summary>
/// The body of POST /organizations (a name is required, the rest optional) and of PATCH /organizations/{id}
/// (absent fields stay as they are; a list given replaces the list).
/// </summary>
public sealed class OrganizationRequest
{
    public string? Name { get; init; }

    /// <summary>Origins (http(s)://host[:port]) an app's callback may live on.</summary>
    public List<string>? WhitelistedOrigins { get; init; }

    /// <summary>Exact redirect URIs for the standard /connect/authorize face.</summary>
    public List<string>? RedirectUris { get; init; }

    public OrganizationSettingsInput? Settings { get; init; }
    public OrganizationConnectionsInput? Connections { get; init; }
}

public sealed record OrganizationSettingsView(
    int MaxSessionTime, int MaxInactivityTime, bool EnableUserCreation, bool AllowLocalhost,
    bool CheckIp, bool CheckUserAgent, bool CheckDeviceId, string DefaultEmailLoginType, int ProofOfWorkThreshold)
{
    public static OrganizationSettingsView From(OrganizationSettings s) => new(
        s.MaxSessionTime, s.MaxInactivityTime, s.EnableUserCreation, s.AllowLocalhost, s.CheckIp, s.CheckUserAgent, s.CheckDeviceId,
        s.DefaultEmailLoginType == EmailLoginType.Link ? "link" : "code", s.ProofOfWorkThreshold);
}

public sealed record OrganizationConnectionsView(bool Email, bool Passkey);

public sealed record OrganizationView(
    Guid Id, string Name, IReadOnlyList<string> WhitelistedOrigins, IReadOnlyList<string> RedirectUris,
    OrganizationSettingsView Settings, OrganizationConnectionsView Connections,
    bool SecretRotationPending, DateTimeOffset? PendingSecretCreated, DateTimeOffset Created, DateTimeOffset Updated)
{
    public static OrganizationView From(Organization o) => new(
        o.Id, o.Name, o.WhitelistedOrigins, o.RedirectUris, OrganizationSettingsView.From(o.Settings),
        new OrganizationConnectionsView(o.Connections.Email, o.Connections.Passkey),
        o.PendingProtectedSecret is not null, o.PendingSecretCreated, o.Created, o.Updated);
}

/// <summary>A new organization with its client secret, shown this once.</summary>
public sealed record CreatedOrganizationView(OrganizationView Organization, string ClientId, string ClientSecret);

/// <summary>The new secret of a rotation, shown this once; the old one works until activate_secret.</summary>
public sealed record RotatedSecretView(Guid OrganizationId, string ClientSecret, DateTimeOffset PendingSecretCreated);
