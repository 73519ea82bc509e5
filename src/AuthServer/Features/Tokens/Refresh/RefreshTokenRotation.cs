using System.Text.Json;
using System.Text.Json.Nodes;
using AuthServer.Features.Connect;
using AuthServer.Features.Organizations;
using AuthServer.Features.Sessions;
using AuthServer.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Npgsql;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace AuthServer.Features.Tokens.Refresh;

/// <summary>
/// Rotates a refresh token without OpenIddict's request pipeline: the same checks, the same token formats and the
/// same rows, in two round trips (the session, then one statement that marks the old token redeemed and inserts
/// the new one). Its only answers are a rotation or "not here" (null): every request it does not fully accept,
/// for whatever reason, goes on to OpenIddict unchanged, which refuses it with the RFC 6749 error or, for a
/// replayed token, revokes the chain (RedeemTokenOnce, OpenIddict's own reuse rule). So this path can only be
/// stricter than OpenIddict's, never more lenient; tests compare the two (RefreshGrantTests).
/// Note: why it exists: OpenIddict's event pipeline and EF Core's change tracking of its entities were most of a
/// rotation's CPU (bench/profiles/refresh.txt, bench/README.md, issue 24).
/// </summary>
public sealed partial class RefreshTokenRotation(
    OrganizationCache organizations,
    IOpenIddictApplicationManager applications,
    SessionValidator sessions,
    ServerKeyRing keyRing,
    NpgsqlDataSource database,
    IOptionsMonitor<OpenIddictServerOptions> serverOptions,
    IOptionsMonitor<TokenOptions> tokenOptions,
    TimeProvider clock,
    ILogger<RefreshTokenRotation> logger)
{
    public const string RefreshTokenType = "oi_reft+jwt";
    private const string AccessTokenType = "at+jwt";

    // Private claims of OpenIddict's token format (OpenIddictConstants.Claims.Private).
    private const string TokenIdClaim = "oi_tkn_id";
    private const string AuthorizationIdClaim = "oi_au_id";
    private const string PresenterClaim = "oi_prst";
    private const string ScopeClaim = "oi_scp";
    private const string ResourceClaim = "oi_rsrc";
    private const string AudienceClaim = "oi_aud";
    private const string DestinationsClaim = "oi_cl_dstn";

    private static readonly JsonWebTokenHandler Tokens = new() { SetDefaultTimesOnTokenCreation = false, MapInboundClaims = false };

    /// <summary>
    /// Marks the presented token redeemed and inserts its successor in one statement, so both happen or neither:
    /// the UPDATE matches only a valid, unexpired refresh token of this client and authorization whose
    /// authorization is still valid, and the INSERT takes its row from the UPDATE's. Two requests with the same
    /// token: the second waits for the first's row lock, then finds it redeemed and matches nothing.
    /// </summary>
    private const string RotateSql = """
        WITH redeemed AS (
            UPDATE "OpenIddictTokens" AS t
            SET "Status" = 'redeemed', "RedemptionDate" = $1, "ConcurrencyToken" = $2
            WHERE t."Id" = $3 AND t."Status" = 'valid' AND t."Type" = $4 AND t."ApplicationId" = $5 AND t."AuthorizationId" = $6
              AND (t."ExpirationDate" IS NULL OR t."ExpirationDate" > $1)
              AND EXISTS (SELECT 1 FROM "OpenIddictAuthorizations" AS a WHERE a."Id" = t."AuthorizationId" AND a."Status" = 'valid')
            RETURNING t."Subject")
        INSERT INTO "OpenIddictTokens" ("Id", "ApplicationId", "AuthorizationId", "ConcurrencyToken", "CreationDate", "ExpirationDate", "Status", "Subject", "Type")
        SELECT $7, $5, $6, $8, $1, $9, 'valid', redeemed."Subject", $4 FROM redeemed
        """;

    public async Task<RefreshGrantResponse?> TryRotateAsync(RefreshGrantRequest request, CancellationToken cancellationToken)
    {
        var options = serverOptions.CurrentValue;
        if (tokenOptions.CurrentValue.IdentityTokenOnRefresh || options.DisableRollingRefreshTokens || options.DisableSlidingRefreshTokenExpiration
            || options.DisableTokenStorage || options.Issuer is null || options.RefreshTokenLifetime is not { } refreshLifetime
            || options.AccessTokenLifetime is not { } accessLifetime || keyRing.SigningKey is null || keyRing.TokenEncryptionKey is null
            || keyRing.InternalTokenSigning is null)
        {
            return null; // a configuration this path does not reproduce
        }

        var organization = await organizations.FindAsync(request.ClientId, cancellationToken);
        if (organization is null || !ClientAuthenticator.SecretMatches(organization, request.ClientSecret)
            || await applications.FindByClientIdAsync(request.ClientId, cancellationToken) is not { } application
            || await applications.GetIdAsync(application, cancellationToken) is not { Length: > 0 } applicationId)
        {
            return null;
        }

        var now = clock.GetUtcNow();
        var token = await ValidateAsync(request.RefreshToken, options.Issuer.AbsoluteUri, now);
        if (token is null
            || !token.TryGetPayloadValue(TokenIdClaim, out string tokenId) || string.IsNullOrEmpty(tokenId)
            || !token.TryGetPayloadValue(AuthorizationIdClaim, out string authorizationId) || string.IsNullOrEmpty(authorizationId)
            || !token.TryGetPayloadValue(ConnectClaims.SessionId, out string sid) || !Guid.TryParse(sid, out var sessionId)
            || !IsPresentedBy(token, request.ClientId)
            || token.TryGetPayloadValue(ResourceClaim, out object _) || token.TryGetPayloadValue(AudienceClaim, out object _))
        {
            return null;
        }

        if ((await sessions.ValidateForTokenAsync(sessionId, cancellationToken)).Failed)
        {
            return null; // OpenIddict's path refuses it with the session's error
        }

        var newTokenId = Guid.NewGuid().ToString();
        var refreshExpires = now + refreshLifetime;
        if (!await RotateAsync(tokenId, applicationId, authorizationId, newTokenId, now, refreshExpires, cancellationToken))
        {
            LogNotRotated(logger, tokenId);
            return null; // redeemed, revoked, expired or gone: OpenIddict's path finds out which, and treats a replay as one
        }

        var payload = JsonNode.Parse(Base64UrlEncoder.Decode(token.EncodedPayload))!.AsObject();
        var scopes = payload[ScopeClaim] is JsonArray granted ? granted.Select(s => s!.GetValue<string>()).ToArray() : [];
        var accessToken = CreateAccessToken(payload, scopes, request.ClientId, options.Issuer.AbsoluteUri, now, accessLifetime);
        var refreshToken = CreateRefreshToken(payload, newTokenId, now, refreshExpires);
        LogRotated(logger, tokenId, newTokenId);
        return new RefreshGrantResponse(accessToken, (long)Math.Round(accessLifetime.TotalSeconds), string.Join(' ', scopes), refreshToken);
    }

    /// <summary>Decrypted with the token keys and signed with the internal HMAC key, of the refresh token type, unexpired; null otherwise.</summary>
    private async Task<JsonWebToken?> ValidateAsync(string token, string issuer, DateTimeOffset now)
    {
        var result = await Tokens.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = issuer,
            ValidateAudience = false,
            RequireExpirationTime = true,
            ClockSkew = TimeSpan.Zero,
            LifetimeValidator = (_, expires, _, _) => expires is { } at && at > now.UtcDateTime,
            IssuerSigningKeys = keyRing.InternalTokenValidationKeys,
            TokenDecryptionKeys = keyRing.TokenDecryptionKeys,
            RequireSignedTokens = true,
        });
        if (!result.IsValid || result.SecurityToken is not JsonWebToken outer || outer.InnerToken is not { } inner
            || outer.Typ != RefreshTokenType || inner.Typ != RefreshTokenType || inner.Alg != SecurityAlgorithms.HmacSha256)
        {
            return null;
        }

        return inner;
    }

    /// <summary>The token names this client as its presenter (the client it was issued to).</summary>
    private static bool IsPresentedBy(JsonWebToken token, string clientId)
    {
        if (token.TryGetPayloadValue(PresenterClaim, out string presenter))
        {
            return presenter == clientId;
        }

        return token.TryGetPayloadValue(PresenterClaim, out string[] presenters) && presenters.Length == 1 && presenters[0] == clientId;
    }

    private async Task<bool> RotateAsync(string tokenId, string applicationId, string authorizationId, string newTokenId,
        DateTimeOffset now, DateTimeOffset expires, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(RotateSql);
        command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = now.UtcDateTime });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Guid.NewGuid().ToString() });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tokenId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = TokenTypeIdentifiers.RefreshToken });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = applicationId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = authorizationId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = newTokenId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Guid.NewGuid().ToString() });
        command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = expires.UtcDateTime });
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>
    /// The access token OpenIddict would issue for this refresh token: RS256 with the current signing key (ES256 with
    /// the P-256 one when Tokens:AccessTokenSigningAlgorithm says so), the
    /// claims the refresh token marks for access tokens (oi_cl_dstn), its scopes, presenter and authorization.
    /// </summary>
    private string CreateAccessToken(JsonObject refreshPayload, string[] scopes, string clientId, string issuer, DateTimeOffset now, TimeSpan lifetime)
    {
        var claims = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            [Claims.Scope] = string.Join(' ', scopes),
            [Claims.JwtId] = Guid.NewGuid().ToString(),
            [PresenterClaim] = clientId,
            [AuthorizationIdClaim] = refreshPayload[AuthorizationIdClaim]!.GetValue<string>(),
            [Claims.ClientId] = clientId,
        };
        if (refreshPayload[DestinationsClaim] is JsonObject destinations)
        {
            foreach (var (claim, targets) in destinations)
            {
                if (targets is JsonArray list && list.Any(t => t?.GetValue<string>() == Destinations.AccessToken)
                    && refreshPayload[claim] is { } value && !claims.ContainsKey(claim))
                {
                    claims[claim] = ClaimValue(value);
                }
            }
        }

        return Tokens.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            IssuedAt = now.UtcDateTime,
            Expires = (now + lifetime).UtcDateTime,
            TokenType = AccessTokenType,
            SigningCredentials = keyRing.AccessTokenSigning(tokenOptions.CurrentValue) ?? new SigningCredentials(keyRing.SigningKey, SecurityAlgorithms.RsaSha256),
            Claims = claims,
        });
    }

    /// <summary>The presented token's claims with a new id and lifetime, signed and encrypted as OpenIddict does (ConnectHandlers.ChooseSigningCredentials).</summary>
    private string CreateRefreshToken(JsonObject payload, string tokenId, DateTimeOffset now, DateTimeOffset expires)
    {
        payload[Claims.IssuedAt] = now.ToUnixTimeSeconds();
        payload[Claims.ExpiresAt] = expires.ToUnixTimeSeconds();
        payload[TokenIdClaim] = tokenId;
        var header = new Dictionary<string, object> { [JwtHeaderParameterNames.Typ] = RefreshTokenType };
        var signed = Tokens.CreateToken(payload.ToJsonString(), keyRing.InternalTokenSigning!, header);
        return Tokens.EncryptToken(signed,
            new EncryptingCredentials(keyRing.TokenEncryptionKey, SecurityAlgorithms.Aes256KW, SecurityAlgorithms.Aes256CbcHmacSha512), header);
    }

    private static object ClaimValue(JsonNode value) => value.GetValueKind() switch
    {
        JsonValueKind.String => value.GetValue<string>(),
        JsonValueKind.True or JsonValueKind.False => value.GetValue<bool>(),
        JsonValueKind.Number => value.AsValue().TryGetValue<long>(out var whole) ? whole : value.GetValue<double>(),
        JsonValueKind.Array => value.AsArray().Select(v => v!.ToString()).ToList(),
        _ => value.ToJsonString(),
    };

    [LoggerMessage(Level = LogLevel.Debug, Message = "Refresh token {TokenId} rotated to {NewTokenId}")]
    private static partial void LogRotated(ILogger logger, string tokenId, string newTokenId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Refresh token {TokenId} was not valid for a rotation; OpenIddict answers the request")]
    private static partial void LogNotRotated(ILogger logger, string tokenId);
}

public sealed record RefreshGrantResponse(string AccessToken, long ExpiresIn, string Scope, string RefreshToken);
