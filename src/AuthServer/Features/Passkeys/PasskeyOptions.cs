using AuthServer.Hosting;

namespace AuthServer.Features.Passkeys;

/// <summary>Section "Passkeys": where passkeys are bound and how long a ceremony waits for the browser.</summary>
public sealed class PasskeyOptions
{
    public const string Section = "Passkeys";

    /// <summary>
    /// The relying party id passkeys are created for. Default: the host of Server:PublicBaseUrl. A parent
    /// domain (example.com for https://auth.example.com) keeps passkeys usable if the server moves to
    /// another subdomain; it can never be changed afterwards without losing every passkey.
    /// </summary>
    public string? RelyingPartyId { get; set; }

    /// <summary>Origins the login page is served from, as browsers report them. Default: the public origin of Server:PublicBaseUrl.</summary>
    public List<string> Origins { get; set; } = [];

    /// <summary>How long a pending ceremony (its challenge) may be answered; also the timeout the browser is given.</summary>
    public TimeSpan CeremonyLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Sign-in ceremonies one IP may open per Login:RateLimitWindow (each is a database row). Every view of a
    /// login page opens one for passkey autofill, so this is sized for many people behind one NAT.
    /// </summary>
    public int MaxCeremoniesPerIp { get; set; } = 300;

    /// <summary>
    /// How long a browser that answered "Not now" to the passkey offer after an email sign-in is not asked
    /// again (per organization, a cookie).
    /// </summary>
    public TimeSpan OfferSnooze { get; set; } = TimeSpan.FromDays(30);
}

/// <summary>The resolved relying party: the id passkeys are bound to and the origins accepted in client data.</summary>
public sealed record RelyingParty(string Id, IReadOnlySet<string> Origins)
{
    public const string ConfigurationHelp =
        "Passkeys: Passkeys:RelyingPartyId must be the host of every origin in Passkeys:Origins (default: the origin of Server:PublicBaseUrl) "
        + "or a parent domain of it, e.g. example.com for https://auth.example.com, and every origin must be an absolute http(s) URL without a path.";

    public static RelyingParty Resolve(ServerOptions server, PasskeyOptions passkeys) =>
        TryResolve(server, passkeys) ?? throw new InvalidOperationException(ConfigurationHelp);

    public static RelyingParty? TryResolve(ServerOptions server, PasskeyOptions passkeys)
    {
        var origins = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var configured in passkeys.Origins.Count > 0 ? passkeys.Origins : [server.PublicOrigin])
        {
            if (!Uri.TryCreate(configured, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || uri.AbsolutePath != "/" || uri.Query.Length > 0)
            {
                return null;
            }

            origins.Add(uri.GetLeftPart(UriPartial.Authority));
        }

        var id = (string.IsNullOrWhiteSpace(passkeys.RelyingPartyId) ? new Uri(server.PublicOrigin).Host : passkeys.RelyingPartyId.Trim()).ToLowerInvariant();
        // Browsers refuse an rp id that is neither the page's host nor a parent domain of it.
        var fits = origins.All(o =>
        {
            var host = new Uri(o).Host;
            return host.Equals(id, StringComparison.OrdinalIgnoreCase) || host.EndsWith("." + id, StringComparison.OrdinalIgnoreCase);
        });
        return fits ? new RelyingParty(id, origins) : null;
    }
}
