using AuthServer.Data.Entities;
using AuthServer.Errors;
using AuthServer.Features.Organizations;

namespace AuthServer.Features.Admin;

/// <summary>
/// Checks an organization request field by field: one <c>details</c> entry per bad field, located by its
/// JSON path (<c>whitelistedOrigins[1]</c>, <c>settings.maxSessionTime</c>).
/// </summary>
public sealed class OrganizationValidation
{
    public const int NameMaxLength = 200;
    public const int MaxListLength = 100;
    public const int UriMaxLength = 2000;

    private readonly List<ErrorDetail> details = [];

    public bool IsValid => details.Count == 0;

    public AuthError Error => AuthError.EntityInvalid(details);

    public string? Name(string? name)
    {
        if (name is null)
        {
            return null;
        }

        var trimmed = name.Trim();
        if (trimmed.Length == 0 || trimmed.Length > NameMaxLength || trimmed.Any(char.IsControl))
        {
            details.Add(new ErrorDetail("name", $"Must be 1 to {NameMaxLength} characters, without control characters."));
            return null;
        }

        return trimmed;
    }

    /// <summary>Origins as scheme://host[:port] (http or https, no path), normalized to lower case and de-duplicated.</summary>
    public List<string>? Origins(List<string>? origins)
    {
        if (origins is null || !CheckLength(origins, "whitelistedOrigins"))
        {
            return null;
        }

        var normalized = new List<string>();
        for (var i = 0; i < origins.Count; i++)
        {
            var origin = origins[i];
            if (origin is null
                || origin.Length > UriMaxLength
                || !OriginRules.TryGetOrigin(origin, out var parsed)
                || !string.Equals(parsed, origin.TrimEnd('/'), StringComparison.OrdinalIgnoreCase))
            {
                details.Add(new ErrorDetail($"whitelistedOrigins[{i}]", "Must be an origin: http(s)://host[:port], without path, query or fragment."));
                continue;
            }

            if (!normalized.Contains(parsed))
            {
                normalized.Add(parsed);
            }
        }

        return normalized;
    }

    /// <summary>Redirect URIs: absolute http(s) URLs without fragment or user info, matched exactly later.</summary>
    public List<string>? RedirectUris(List<string>? uris)
    {
        if (uris is null || !CheckLength(uris, "redirectUris"))
        {
            return null;
        }

        var accepted = new List<string>();
        for (var i = 0; i < uris.Count; i++)
        {
            var uri = uris[i];
            if (uri is null
                || uri.Length > UriMaxLength
                || uri.Any(c => char.IsControl(c) || char.IsWhiteSpace(c))
                || !Uri.TryCreate(uri, UriKind.Absolute, out var parsed)
                || (parsed.Scheme != Uri.UriSchemeHttps && parsed.Scheme != Uri.UriSchemeHttp)
                || string.IsNullOrEmpty(parsed.Host)
                || !string.IsNullOrEmpty(parsed.UserInfo)
                || uri.Contains('#'))
            {
                details.Add(new ErrorDetail($"redirectUris[{i}]", "Must be an absolute http(s) URL without fragment or user info."));
                continue;
            }

            if (!accepted.Contains(uri, StringComparer.Ordinal))
            {
                accepted.Add(uri);
            }
        }

        return accepted;
    }

    /// <summary>Checks the settings given and returns how to apply them (null when none were given or one is bad).</summary>
    public Action<OrganizationSettings>? Settings(OrganizationSettingsInput? input)
    {
        if (input is null)
        {
            return null;
        }

        var before = details.Count;
        if (input.MaxSessionTime is <= 0)
        {
            details.Add(new ErrorDetail("settings.maxSessionTime", "Must be a positive number of seconds."));
        }

        if (input.MaxInactivityTime is <= 0)
        {
            details.Add(new ErrorDetail("settings.maxInactivityTime", "Must be a positive number of seconds."));
        }

        if (input.ProofOfWorkThreshold is < 0 or > 10_000)
        {
            details.Add(new ErrorDetail("settings.proofOfWorkThreshold", "Must be between 0 (never ask) and 10000."));
        }

        EmailLoginType? loginType = input.DefaultEmailLoginType?.ToLowerInvariant() switch
        {
            null => null,
            "code" => EmailLoginType.Code,
            "link" => EmailLoginType.Link,
            _ => Invalid(),
        };

        if (details.Count > before)
        {
            return null;
        }

        return settings =>
        {
            settings.MaxSessionTime = input.MaxSessionTime ?? settings.MaxSessionTime;
            settings.MaxInactivityTime = input.MaxInactivityTime ?? settings.MaxInactivityTime;
            settings.EnableUserCreation = input.EnableUserCreation ?? settings.EnableUserCreation;
            settings.AllowLocalhost = input.AllowLocalhost ?? settings.AllowLocalhost;
            settings.CheckIp = input.CheckIp ?? settings.CheckIp;
            settings.CheckUserAgent = input.CheckUserAgent ?? settings.CheckUserAgent;
            settings.CheckDeviceId = input.CheckDeviceId ?? settings.CheckDeviceId;
            settings.DefaultEmailLoginType = loginType ?? settings.DefaultEmailLoginType;
            settings.ProofOfWorkThreshold = input.ProofOfWorkThreshold ?? settings.ProofOfWorkThreshold;
        };

        EmailLoginType? Invalid()
        {
            details.Add(new ErrorDetail("settings.defaultEmailLoginType", "Must be \"code\" or \"link\"."));
            return null;
        }
    }

    public static Action<OrganizationConnections>? Connections(OrganizationConnectionsInput? input) =>
        input is null
            ? null
            : connections =>
            {
                connections.Email = input.Email ?? connections.Email;
                connections.Passkey = input.Passkey ?? connections.Passkey;
            };

    private bool CheckLength(List<string> values, string location)
    {
        if (values.Count <= MaxListLength)
        {
            return true;
        }

        details.Add(new ErrorDetail(location, $"At most {MaxListLength} entries."));
        return false;
    }
}
