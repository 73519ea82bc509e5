using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;

namespace AuthServer.Features.Passkeys.Offer;

/// <summary>
/// What the offer page carries between the finished sign-in and the redirect to the app: the session, its user
/// and where the browser goes next. The redirect was built by the sign-in's face, so it travels only inside
/// Data Protection (encrypted and authenticated, for <see cref="Lifetime"/>): a page can hand back only a target
/// this server made for it, never one of its own choosing.
/// </summary>
/// <param name="UiLocales">The sign-in's <c>ui_locales</c>: the offer's pages and a passkey's default name speak its language.</param>
public sealed record PasskeyOfferState(Guid SessionId, Guid UserId, Guid OrganizationId, Guid RequestId, string RedirectUrl, string? UiLocales = null);

public sealed class PasskeyOfferStates(IDataProtectionProvider dataProtection)
{
    /// <summary>Long enough to find a security key; the app's code in the redirect expires on its own clock anyway.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(30);

    private readonly ITimeLimitedDataProtector protector = dataProtection.CreateProtector("AuthServer.PasskeyOffer.v1").ToTimeLimitedDataProtector();

    public string Protect(PasskeyOfferState state) => protector.Protect(JsonSerializer.Serialize(state), Lifetime);

    /// <summary>The state, or null when it was altered, made with a key that no longer exists, or expired.</summary>
    public PasskeyOfferState? Read(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<PasskeyOfferState>(protector.Unprotect(value));
        }
        catch (Exception exception) when (exception is CryptographicException or JsonException or FormatException)
        {
            return null;
        }
    }
}
