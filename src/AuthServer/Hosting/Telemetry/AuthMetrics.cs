using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AuthServer.Hosting.Telemetry;

/// <summary>
/// The server's own instruments, on the <c>AuthServer</c> meter. Labels are low-cardinality on purpose:
/// organization id (tenants are few), method, error code, kind, grant type; never a user, an email or an IP.
/// A static meter because every call site is a hot path and nothing is listening unless telemetry is on:
/// an instrument without a listener costs one branch.
/// </summary>
public static class AuthMetrics
{
    public const string Name = "AuthServer";

    /// <summary>The server's own spans (webhook deliveries, email sends); ASP.NET Core, HttpClient and Npgsql bring theirs.</summary>
    public static readonly ActivitySource ActivitySource = new(Name);

    private static readonly Meter Meter = new(Name);

    private static readonly Counter<long> SignInsStarted = Meter.CreateCounter<long>("authserver.signins.started", "{sign-in}",
        "Sign-ins begun: an emailed code or link requested, a passkey ceremony opened.");
    private static readonly Counter<long> SignInsCompleted = Meter.CreateCounter<long>("authserver.signins.completed", "{sign-in}",
        "Sign-ins that started a session.");
    private static readonly Counter<long> SignInsFailed = Meter.CreateCounter<long>("authserver.signins.failed", "{sign-in}",
        "Sign-ins refused, by the catalog's error code.");
    private static readonly Counter<long> EmailsQueued = Meter.CreateCounter<long>("authserver.emails.queued", "{email}", "Emails written to the outbox.");
    private static readonly Counter<long> EmailsSent = Meter.CreateCounter<long>("authserver.emails.sent", "{email}", "Emails the mail server accepted.");
    private static readonly Counter<long> EmailsFailed = Meter.CreateCounter<long>("authserver.emails.failed", "{email}",
        "Email send attempts that failed (outcome retry, failed or expired).");
    private static readonly Counter<long> RateLimitHits = Meter.CreateCounter<long>("authserver.ratelimit.hits", "{request}",
        "Requests refused by a rate limit, by limit (the key's first part: request, send, check, passkey...).");
    private static readonly Counter<long> ChallengesIssued = Meter.CreateCounter<long>("authserver.challenges.issued", "{challenge}",
        "Passkey challenges handed out (sign-in or registration ceremonies).");
    private static readonly Counter<long> TokensIssued = Meter.CreateCounter<long>("authserver.tokens.issued", "{response}",
        "Successful token responses, by grant type.");
    private static readonly Counter<long> TokenReuse = Meter.CreateCounter<long>("authserver.tokens.reuse_detected", "{token}",
        "A redeemed refresh token or authorization code presented again.");
    private static readonly Counter<long> DatabaseUnavailable = Meter.CreateCounter<long>("authserver.database.unavailable", "{event}",
        "Requests or background runs that found the database unreachable.");
    private static readonly Counter<long> WebhookAttempts = Meter.CreateCounter<long>("authserver.webhooks.attempts", "{attempt}",
        "Webhook delivery attempts, by event type and outcome.");

    public static void SignInStarted(Guid organizationId, string method) =>
        SignInsStarted.Add(1, new("organization", organizationId.ToString()), new("method", method));

    /// <summary>A finished sign-in: completed when <paramref name="errorCode"/> is null, else failed with it.</summary>
    public static void SignInFinished(Guid? organizationId, string method, string? errorCode)
    {
        var organization = new KeyValuePair<string, object?>("organization", organizationId?.ToString() ?? "unknown");
        if (errorCode is null)
        {
            SignInsCompleted.Add(1, organization, new("method", method));
        }
        else
        {
            SignInsFailed.Add(1, organization, new("method", method), new("error", errorCode));
        }
    }

    public static void EmailQueued(string kind) => EmailsQueued.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public static void EmailSent(string kind) => EmailsSent.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public static void EmailFailed(string kind, string outcome) => EmailsFailed.Add(1, new("kind", kind), new("outcome", outcome));

    /// <summary>Counts a refusal by a rate limit; the label is the key's kind (before its first ':'), never the IP or address in it.</summary>
    public static void RateLimitHit(string key)
    {
        var colon = key.IndexOf(':', StringComparison.Ordinal);
        RateLimitHits.Add(1, new KeyValuePair<string, object?>("limit", colon < 0 ? key : key[..colon]));
    }

    public static void ChallengeIssued(string kind) => ChallengesIssued.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public static void TokenIssued(string grantType) => TokensIssued.Add(1, new KeyValuePair<string, object?>("grant_type", grantType));

    public static void TokenReuseDetected(string tokenType) => TokenReuse.Add(1, new KeyValuePair<string, object?>("token_type", tokenType));

    public static void DatabaseWasUnavailable(string component) => DatabaseUnavailable.Add(1, new KeyValuePair<string, object?>("component", component));

    public static void WebhookAttempted(string eventType, string outcome) => WebhookAttempts.Add(1, new("event_type", eventType), new("outcome", outcome));

    /// <summary>Registers the active-sessions gauge; its callback reads <paramref name="read"/>, which must be cheap (a cached value).</summary>
    public static void ObserveActiveSessions(Func<long?> read) =>
        Meter.CreateObservableGauge("authserver.sessions.active", () => read() is { } value ? [new Measurement<long>(value)] : Array.Empty<Measurement<long>>(),
            "{session}", "Sessions neither ended nor past their organization's inactivity or maximum time (refreshed at most every 30 s).");
}
