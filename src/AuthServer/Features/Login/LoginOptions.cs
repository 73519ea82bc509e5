namespace AuthServer.Features.Login;

/// <summary>Section "Login": lifetimes and abuse limits of the email login.</summary>
public sealed class LoginOptions
{
    public const string Section = "Login";

    /// <summary>How long a pending authorization request (the login page) stays usable.</summary>
    public TimeSpan AuthorizationRequestLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long an emailed code or link is valid.</summary>
    public TimeSpan AttemptLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Wrong codes after which an attempt is burned.</summary>
    public int MaxWrongCodes { get; set; } = 5;

    /// <summary>How long the app has to exchange the code it received.</summary>
    public TimeSpan CodeLifetime { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Minimum time between two emails to the same address.</summary>
    public TimeSpan ResendInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The window the count limits below apply to.</summary>
    public TimeSpan RateLimitWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Login pages (persisted authorization requests) one IP may open per window.</summary>
    public int MaxAuthorizationRequestsPerIp { get; set; } = 300;

    public int MaxEmailsPerAddress { get; set; } = 5;
    public int MaxEmailsPerIp { get; set; } = 30;
    public int MaxCodeChecksPerIp { get; set; } = 30;

    /// <summary>Code checks per email address, across all its attempts: wrong codes cannot be spread over new attempts.</summary>
    public int MaxCodeChecksPerAddress { get; set; } = 15;

    /// <summary>
    /// Consecutive wrong codes (or link tokens) one address may get, across attempts, windows and instances, before
    /// code and link sign-in is locked for it (NIST SP 800-63B §5.2.2 caps this at 100). A successful sign-in resets it.
    /// </summary>
    public int MaxConsecutiveFailedCodes { get; set; } = 100;
}
