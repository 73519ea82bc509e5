using Microsoft.Extensions.Options;

namespace AuthServer.Features.Tokens;

/// <summary>Section "Tokens": revocation of stateless tokens and rotation of the keys that sign them.</summary>
public sealed class TokenOptions
{
    public const string Section = "Tokens";

    /// <summary>
    /// How often every instance reads the access tokens revoked on other instances. A revocation takes effect at
    /// once on the instance that received it and within this interval (plus one query) on every other one.
    /// </summary>
    public TimeSpan RevocationSyncInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long a new signing key is published in the JWKS before it signs anything, so relying parties that
    /// cache the key set (typically for a day or less) already know it when the first token signed with it
    /// arrives.
    /// </summary>
    public TimeSpan KeyPublicationLeadTime { get; set; } = TimeSpan.FromHours(25);

    /// <summary>
    /// How often every instance reloads the key ring from the database: a rotation started on one instance is
    /// published, and later activated, on the others within this interval.
    /// </summary>
    public TimeSpan KeyRingRefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a retired signing key stays in the JWKS after its successor took over: longer than any token it
    /// signed lives (access tokens: Server:AccessTokenLifetime, identity tokens: 20 minutes).
    /// </summary>
    public TimeSpan RetiredSigningKeyRetention { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Rotate the signing and token encryption keys automatically this often; unset (the default) never.</summary>
    public TimeSpan? AutomaticRotationInterval { get; set; }

    /// <summary>
    /// Issue a new identity token with every refresh (false by default: OpenID Connect lets the refresh response
    /// omit it, and it costs a signature per rotation). Turn on for relying parties that expect one.
    /// </summary>
    public bool IdentityTokenOnRefresh { get; set; }

    /// <summary>
    /// How access tokens of the OpenID Connect face are signed: <c>RS256</c> (the default, which every JWT library
    /// verifies) or <c>ES256</c> (P-256, about a tenth of the CPU per token; for resource servers whose JWT
    /// library takes EC keys from the JWKS, as Microsoft.IdentityModel, jose and most others do). Identity tokens
    /// are RS256 either way. Both keys are in the JWKS at all times, so the setting can change at any moment.
    /// </summary>
    public string AccessTokenSigningAlgorithm { get; set; } = Rs256;

    public const string Rs256 = "RS256";
    public const string Es256 = "ES256";

    public bool SignsAccessTokensWithEcdsa => AccessTokenSigningAlgorithm == Es256;
}

/// <summary>Tokens:* checked at start: an algorithm the server cannot sign with stops it with the setting's name.</summary>
public sealed class TokenOptionsValidation : IValidateOptions<TokenOptions>
{
    public ValidateOptionsResult Validate(string? name, TokenOptions options) =>
        options.AccessTokenSigningAlgorithm is TokenOptions.Rs256 or TokenOptions.Es256
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"{TokenOptions.Section}:{nameof(TokenOptions.AccessTokenSigningAlgorithm)} must be {TokenOptions.Rs256} or {TokenOptions.Es256}, not '{options.AccessTokenSigningAlgorithm}'.");
}
