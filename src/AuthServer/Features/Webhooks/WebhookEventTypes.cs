namespace AuthServer.Features.Webhooks;

/// <summary>The events an endpoint may subscribe to.</summary>
public static class WebhookEventTypes
{
    public const string UserCreated = "user.created";
    public const string UserUpdated = "user.updated";
    public const string UserDeleted = "user.deleted";
    public const string UserBlocked = "user.blocked";
    public const string SignInSucceeded = "signin.succeeded";
    public const string SignInFailed = "signin.failed";
    public const string SessionEnded = "session.ended";
    public const string PasskeyAdded = "passkey.added";
    public const string PasskeyRemoved = "passkey.removed";
    public const string OrganizationUpdated = "organization.updated";
    public const string SecretRotated = "secret.rotated";

    public static readonly string[] All =
    [
        UserCreated, UserUpdated, UserDeleted, UserBlocked, SignInSucceeded, SignInFailed, SessionEnded,
        PasskeyAdded, PasskeyRemoved, OrganizationUpdated, SecretRotated,
    ];
}
