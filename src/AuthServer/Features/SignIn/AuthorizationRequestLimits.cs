namespace AuthServer.Features.SignIn;

/// <summary>
/// The longest value each authorization-request parameter may have, on every face. The columns of
/// <c>authorization_requests</c> are at least this long (a test holds them against these numbers), so no
/// accepted value can overflow one.
/// </summary>
public static class AuthorizationRequestLimits
{
    /// <summary>
    /// ASP.NET Core's OpenIdConnect handler puts its protected properties in <c>state</c>, often over 1 KB,
    /// and more when the app adds properties: 4 KB keeps every such client working.
    /// </summary>
    public const int State = 4096;

    public const int RedirectUri = 2048;

    /// <summary>A S256 challenge is base64url(SHA-256): exactly 43 characters (RFC 7636 §4.2).</summary>
    public const int CodeChallenge = 43;

    public const int Nonce = 512;
    public const int Scope = 1024;

    /// <summary>An email address (RFC 5321 allows 254; 320 is the historical local@domain maximum).</summary>
    public const int LoginHint = 320;

    /// <summary>Short protocol values: client_id, response_type, code_challenge_method, prompt, max_age, flags.</summary>
    public const int ShortValue = 200;

    /// <summary>The CentralAuth face's base64 JSON of UI strings, and its free-text notice.</summary>
    public const int Translations = 16_384;
    public const int ErrorDescription = 1024;

    /// <summary>Any other parameter a client may add (ignored, but replayed to OpenIddict on the standard face).</summary>
    public const int OtherValue = 4096;

    /// <summary>All names and values together, and how many parameters one request may carry.</summary>
    public const int Total = 32_768;
    public const int ParameterCount = 64;

    /// <summary>The longest value a named parameter may carry.</summary>
    public static int For(string name) => name switch
    {
        "state" => State,
        "redirect_uri" or "post_logout_redirect_uri" => RedirectUri,
        // Longer than 43 is malformed too, but the S256 rule reports that with its own error.
        "code_challenge" => 128,
        "nonce" => Nonce,
        "scope" => Scope,
        "login_hint" or "email" => LoginHint,
        "translations" => Translations,
        "error_description" => ErrorDescription,
        "client_id" or "response_type" or "response_mode" or "code_challenge_method" or "prompt" or "max_age"
            or "embed" or "affirm" or "ui_locales" or "display" => ShortValue,
        _ => OtherValue,
    };
}
