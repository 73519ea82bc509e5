namespace AuthServer.Data.Entities;

/// <summary>One successful sign-in of a user: every token issued for it names it.</summary>
public sealed class Session
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public Guid UserId { get; set; }
    public User? User { get; set; }

    /// <summary>How the user proved who they are: "otp" (emailed code/link) or "hwk" (passkey).</summary>
    public required string Method { get; set; }

    /// <summary>The upstream connection the user signed in through (amr "fed"); null for every other method.</summary>
    public Guid? UpstreamConnectionId { get; set; }

    public string? Ip { get; set; }
    public string? UserAgent { get; set; }
    public string? DeviceId { get; set; }

    /// <summary>Set when the app exchanged the code it was given; until then the session is not verified.</summary>
    public DateTimeOffset? VerifiedAt { get; set; }

    public DateTimeOffset Created { get; set; }
    public DateTimeOffset LastActivity { get; set; }

    /// <summary>Set by logout or revocation; the session and its tokens are dead from then on.</summary>
    public DateTimeOffset? EndedAt { get; set; }
    public string? EndReason { get; set; }
}
