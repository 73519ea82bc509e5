using System.Text.Json;
using System.Text.Json.Nodes;
using AuthServer.Data;
using AuthServer.Data.Entities;
using AuthServer.Errors;
using AuthServer.Features.Login;
using AuthServer.Features.Organizations;
using AuthServer.Features.Sessions;
using AuthServer.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AuthServer.Features.CentralAuthApi;

public sealed record VerifyResponse(
    [property: System.Text.Json.Serialization.JsonPropertyName("access_token")] string AccessToken,
    [property: System.Text.Json.Serialization.JsonPropertyName("id_token")] string IdToken,
    [property: System.Text.Json.Serialization.JsonPropertyName("expires_in")] long ExpiresIn,
    [property: System.Text.Json.Serialization.JsonPropertyName("expires_at")] DateTimeOffset ExpiresAt);

/// <summary>
/// POST /api/v1/verify: the app trades its single-use code (with the PKCE verifier) for tokens. A code
/// presented twice is a sign of theft: the second use fails and ends the session it created.
/// </summary>
public sealed class CodeExchangeService(AuthDbContext db, LoginSecrets secrets, SessionService sessions, IOptions<ServerOptions> server, TimeProvider clock)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<Outcome<VerifyResponse>> ExchangeAsync(CachedOrganization organization, string code, string redirectUri, string? verifier, CancellationToken cancellationToken)
    {
        var hash = secrets.Hash(code);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var stored = (await db.AuthorizationCodes.FromSql($"SELECT * FROM authorization_codes WHERE \"CodeHash\" = {hash} FOR UPDATE").ToListAsync(cancellationToken)).SingleOrDefault();
        if (stored is null || stored.OrganizationId != organization.Id)
        {
            return AuthError.TokenInvalid();
        }

        var now = clock.GetUtcNow();
        if (stored.ConsumedAt is not null)
        {
            await sessions.EndAsync(stored.SessionId, "code_reused", cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return AuthError.TokenInvalid();
        }

        // From here on the code is spent, whatever the outcome: a wrong verifier cannot be retried.
        stored.ConsumedAt = now;
        var error = Check(stored, redirectUri, verifier, now);
        if (error is not null)
        {
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return error;
        }

        var session = await db.Sessions.Include(s => s.User).SingleAsync(s => s.Id == stored.SessionId, cancellationToken);
        if (session.EndedAt is not null)
        {
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return AuthError.SessionInactive();
        }

        session.VerifiedAt = now;
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return IssueTokens(organization, session, now);
    }

    private static AuthError? Check(AuthorizationCode stored, string redirectUri, string? verifier, DateTimeOffset now)
    {
        if (now >= stored.ExpiresAt)
        {
            return AuthError.TokenInvalid();
        }

        // The app sends its bare callback URL here, but added return_to to it at login: compare without the query.
        if (!string.Equals(WithoutQuery(stored.RedirectUri), WithoutQuery(redirectUri), StringComparison.Ordinal))
        {
            return AuthError.CallbackUrlInvalid("The redirect_uri does not match the one the code was issued for.");
        }

        // Note: only codes started by authenticate_direct (a server-to-server call authenticated with the
        // client secret) carry no challenge; every browser login has one and must present its verifier.
        if (stored.CodeChallenge.Length > 0 && (!Pkce.IsWellFormedVerifier(verifier) || !Pkce.Matches(stored.CodeChallenge, verifier!)))
        {
            return AuthError.CodeChallengeInvalid("The code_verifier does not match the code challenge.");
        }

        return null;
    }

    private VerifyResponse IssueTokens(CachedOrganization organization, Session session, DateTimeOffset now)
    {
        // Tokens live as long as the session may; the session rules (inactivity, logout) are checked on every use.
        var expiresAt = session.Created.AddSeconds(organization.Settings.MaxSessionTime);
        var claims = new JsonObject
        {
            ["sessionId"] = session.Id.ToString(),
            ["sub"] = session.UserId.ToString(),
            ["iss"] = server.Value.PublicBaseUri.ToString(),
            ["aud"] = organization.Id.ToString(),
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = expiresAt.ToUnixTimeSeconds(),
        };
        var accessToken = CentralAuthTokens.Encrypt(claims, organization.Secret);

        var idClaims = (JsonObject)claims.DeepClone();
        idClaims["user"] = JsonSerializer.SerializeToNode(UserView.From(session.User!), Json);
        var idToken = CentralAuthTokens.Encrypt(idClaims, organization.Secret);

        return new VerifyResponse(accessToken, idToken, (long)(expiresAt - now).TotalSeconds, expiresAt);
    }

    private static string WithoutQuery(string uri)
    {
        var cut = uri.IndexOfAny(['?', '#']);
        return cut < 0 ? uri : uri[..cut];
    }
}
