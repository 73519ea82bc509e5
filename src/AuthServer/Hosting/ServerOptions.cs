using System.ComponentModel.DataAnnotations;

namespace AuthServer.Hosting;

/// <summary>Section "Server": how the server is reached and how it starts.</summary>
public sealed class ServerOptions
{
    public const string Section = "Server";

    /// <summary>The public base URL (scheme, host, port) browsers and apps use; it is the token issuer.</summary>
    [Required]
    public string PublicBaseUrl { get; set; } = "http://localhost:5080";

    /// <summary>Apply pending migrations at start (under an advisory lock, so several instances may start at once).</summary>
    public bool ApplyMigrationsAtStartup { get; set; } = true;

    /// <summary>How long start-up waits for the database before giving up.</summary>
    public int DatabaseStartupTimeoutSeconds { get; set; } = 60;

    /// <summary>
    /// Reverse proxies (IP addresses) whose X-Forwarded-For / X-Forwarded-Proto are trusted. Without them a
    /// server behind a proxy sees the proxy's address for every user (rate limits, session binding).
    /// </summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Lifetime of the standard face's access tokens (JWTs that resource servers accept without asking us).</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// On SIGTERM: seconds of unhealthy readiness while still serving, before the server stops accepting.
    /// Set it (e.g. 5) behind a load balancer; 0 stops at once (development).
    /// </summary>
    public int ShutdownDrainSeconds { get; set; }

    /// <summary>On SIGTERM: how long in-flight requests may take to finish once the server stops accepting.</summary>
    public int ShutdownTimeoutSeconds { get; set; } = 20;

    public Uri PublicBaseUri => new(PublicBaseUrl.TrimEnd('/') + "/");

    /// <summary>The public origin, scheme://host[:port], without a trailing slash.</summary>
    public string PublicOrigin => PublicBaseUri.GetLeftPart(UriPartial.Authority);
}

/// <summary>Section "Keys": token signing and encryption certificates for production.</summary>
public sealed class KeyOptions
{
    public const string Section = "Keys";

    /// <summary>A PKCS#12 file with the token signing certificate; when unset, a key is generated once and kept in the database.</summary>
    public string? SigningCertificatePath { get; set; }
    public string? SigningCertificatePassword { get; set; }

    /// <summary>A PKCS#12 file with the token encryption certificate; when unset, a key is generated once and kept in the database.</summary>
    public string? EncryptionCertificatePath { get; set; }
    public string? EncryptionCertificatePassword { get; set; }
}

/// <summary>Section "DataProtection": how the key ring in the database is protected at rest.</summary>
public sealed class DataProtectionSettings
{
    public const string Section = "DataProtection";

    /// <summary>
    /// A PKCS#12 certificate that encrypts the Data Protection keys stored in the database. Set it in
    /// production: the keys protect client secrets and token keys, and would otherwise sit in the same
    /// database in clear.
    /// </summary>
    public string? CertificatePath { get; set; }
    public string? CertificatePassword { get; set; }
}

/// <summary>Section "Demo": what the run command sets up for a newcomer.</summary>
public sealed class DemoOptions
{
    public const string Section = "Demo";

    /// <summary>Create a demo organization on first start and print its credentials.</summary>
    public bool CreateOrganization { get; set; }

    /// <summary>The origin whitelisted for the demo organization (an app running on the developer's machine).</summary>
    public string AppOrigin { get; set; } = "http://localhost:3000";
}
