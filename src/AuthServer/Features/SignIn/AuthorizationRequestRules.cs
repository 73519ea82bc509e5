using AuthServer.Errors;
using AuthServer.Features.Login;

namespace AuthServer.Features.SignIn;

/// <summary>A broken rule in both vocabularies: the catalog's on the CentralAuth face, RFC 6749's on /connect/*.</summary>
public sealed record RuleViolation(AuthError Error, string OAuthError)
{
    public static RuleViolation InvalidRequest(AuthError error) => new(error, "invalid_request");

    /// <summary>What error_description says: the field's own message when there is one.</summary>
    public string Description => Error.Details is { Count: > 0 } details ? details[0].Message : Error.Message;
}

/// <summary>
/// The rules of an authorization request, written once and applied by every face: GET /login, /connect/authorize
/// (from an OpenIddict validation handler) and authenticate_direct (the rules that apply to it). They run once
/// the client and its redirect URI are trusted, so every violation goes back to the app.
/// </summary>
public static class AuthorizationRequestRules
{
    /// <summary>The protocol parameters of a browser-started request: well-formed, code flow, state, PKCE S256.</summary>
    public static RuleViolation? CheckProtocol(RequestParameters parameters)
    {
        if (parameters.Fault is { } fault)
        {
            return RuleViolation.InvalidRequest(fault);
        }

        var responseType = parameters["response_type"];
        if (responseType is null)
        {
            return RuleViolation.InvalidRequest(AuthError.EntityInvalid("response_type", "The response_type parameter is required (response_type=code)."));
        }

        if (responseType != "code")
        {
            return new RuleViolation(AuthError.EntityInvalid("response_type", "Only response_type=code is supported."), "unsupported_response_type");
        }

        // Request objects (RFC 9101) are not supported: refused rather than ignored, since they may override parameters.
        if (parameters["request"] is not null)
        {
            return new RuleViolation(AuthError.EntityInvalid("request", "Request objects are not supported."), "request_not_supported");
        }

        if (parameters["request_uri"] is not null)
        {
            return new RuleViolation(AuthError.EntityInvalid("request_uri", "Request objects by reference are not supported."), "request_uri_not_supported");
        }

        return CheckState(parameters["state"]) ?? CheckPkce(parameters["code_challenge"], parameters["code_challenge_method"]);
    }

    /// <summary>
    /// state is required on every face (OpenIddict leaves it optional): it is the app's defence against CSRF on its
    /// callback (RFC 9700 §4.7). Its length and characters were checked when the parameters were read.
    /// </summary>
    public static RuleViolation? CheckState(string? state) =>
        string.IsNullOrEmpty(state) ? RuleViolation.InvalidRequest(AuthError.StateMissing()) : null;

    /// <summary>PKCE with S256 only (RFC 9700 §2.1.1), and a challenge that can be a SHA-256: 43 base64url characters.</summary>
    public static RuleViolation? CheckPkce(string? challenge, string? method)
    {
        if (string.IsNullOrEmpty(challenge))
        {
            return RuleViolation.InvalidRequest(AuthError.CodeChallengeMissing());
        }

        if (method != "S256")
        {
            return RuleViolation.InvalidRequest(AuthError.CodeChallengeInvalid("Only code_challenge_method=S256 is supported."));
        }

        return Pkce.IsWellFormedChallenge(challenge)
            ? null
            : RuleViolation.InvalidRequest(AuthError.CodeChallengeInvalid("The code challenge must be 43 base64url characters (the S256 hash of the verifier)."));
    }

    /// <summary>A sign-in needs at least one login method the page can offer for this request.</summary>
    public static RuleViolation? CheckLoginMethods(bool anyEnabled) =>
        anyEnabled ? null : new RuleViolation(AuthError.ConnectionMissing(), "access_denied");

    /// <summary>The address to prefill (login_hint, or email on the CentralAuth face): used only when it is one.</summary>
    public static string? LoginHint(string? value) => EmailAddress.IsValid(value) ? value!.Trim() : null;
}
