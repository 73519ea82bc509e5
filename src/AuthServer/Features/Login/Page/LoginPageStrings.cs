using System.Text.Json;

namespace AuthServer.Features.Login.Page;

/// <summary>
/// The UI strings of the hosted page. An app overrides any of them with the `translations` parameter
/// (keys as below, e.g. loginPageIntro, emailAddress, loginWithPasskey); unknown keys are ignored.
/// </summary>
public sealed class LoginPageStrings
{
    private static readonly Dictionary<string, string> Defaults = new()
    {
        ["loginPageIntro"] = "Sign in with your email address. We will send you a code.",
        ["loginPageIntroLink"] = "Sign in with your email address. We will send you a link.",
        ["emailAddress"] = "Email address",
        ["continue"] = "Continue",
        ["loginWithPasskey"] = "Log in with a passkey",
        ["or"] = "or",
        ["registerPasskey"] = "Register a new passkey",
        ["passkeyCodeSent"] = "We sent a 5-digit code to {email}. Enter it to confirm your address, then create your passkey on this device.",
        ["createPasskey"] = "Create passkey",
        ["passkeyCancelled"] = "No passkey was used. Try again, or continue with your email address.",
        ["passkeyExists"] = "This device already holds a passkey for this account. Log in with it instead.",
        ["passkeyFailed"] = "The passkey could not be used. Try again, or continue with your email address.",
        ["codeSent"] = "We sent a 5-digit code to {email}. It expires in 10 minutes.",
        ["linkSent"] = "We sent a sign-in link to {email}. Open it to continue; it expires in 10 minutes.",
        ["code"] = "Code",
        ["signIn"] = "Sign in",
        ["sendNewCode"] = "Send a new code",
        ["useDifferentEmail"] = "Use a different email address",
        ["linkCompare"] = "If you open it on another device, it will show a number: check that it is {number}.",
        ["linkWaiting"] = "Waiting for the link to be opened. This page continues by itself once you approve it.",
        ["linkContinue"] = "I approved it: continue",
        ["linkNumber"] = "Number",
        ["linkDeclinedHere"] = "The sign-in was cancelled from the email (\"This wasn't me\"). Nobody was signed in.",
        ["linkExpiredHere"] = "The link has expired. Use a different email address or send a new one.",
        ["linkSignInTitle"] = "Sign in to {organization}",
        ["linkSignInIntro"] = "Continue to sign in to {organization} on this device as {email}.",
        ["linkSignInButton"] = "Sign in to {organization}",
        ["linkApproveTitle"] = "Approve sign-in on the other device?",
        ["linkApproveIntro"] = "Someone asked to sign in to {organization} as {email} on another device. Approve only if it was you and that device shows the same number.",
        ["linkApproveButton"] = "Approve sign-in",
        ["linkDecline"] = "This wasn't me",
        ["linkApprovedTitle"] = "Sign-in approved",
        ["linkApproved"] = "You can close this page. The other device continues by itself.",
        ["linkDeclinedTitle"] = "Sign-in cancelled",
        ["linkDeclined"] = "Nobody was signed in. You can close this page.",
        ["registerPasskeyIntro"] = "Create a passkey: enter your email address. We will send a code to confirm it, then your device creates the passkey.",
        ["sendCodeForPasskey"] = "Send code to create a passkey",
        ["signInWithoutPasskey"] = "Sign in without creating a passkey",
        ["powWorking"] = "Your browser is doing a short security check. This takes a few seconds; the form continues by itself.",
        ["powDone"] = "Security check done. Sending…",
        ["errorTitle"] = "We could not sign you in",
        ["errorCode"] = "Error code",
        ["footer"] = "Secure sign-in",
    };

    private readonly IReadOnlyDictionary<string, string> overrides;

    private LoginPageStrings(IReadOnlyDictionary<string, string> overrides) => this.overrides = overrides;

    public static LoginPageStrings Default { get; } = new(new Dictionary<string, string>());

    public static LoginPageStrings From(string? translationsJson)
    {
        if (string.IsNullOrEmpty(translationsJson))
        {
            return Default;
        }

        var values = JsonSerializer.Deserialize<Dictionary<string, string>>(translationsJson) ?? [];
        // JSON null values deserialize as null strings: ignore them like unknown keys.
        return new LoginPageStrings(values.Where(v => v.Value is not null && Defaults.ContainsKey(v.Key)).ToDictionary(v => v.Key, v => v.Value));
    }

    public string this[string key] => overrides.TryGetValue(key, out var value) ? value : Defaults[key];
}
