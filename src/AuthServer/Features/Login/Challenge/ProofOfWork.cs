using System.Security.Cryptography;
using System.Text;
using AuthServer.Data;
using AuthServer.Data.Entities;
using AuthServer.Errors;
using AuthServer.Features.Organizations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AuthServer.Features.Login.Challenge;

/// <summary>A puzzle for the page: find a counter so that SHA-256(challenge ":" counter) starts with <see cref="Difficulty"/> zero bits.</summary>
public sealed record ProofOfWorkPuzzle(Guid Id, string Challenge, int Difficulty);

/// <summary>
/// The escalating challenge of the email step (hashcash over SHA-256, solved by the page's own script; no third
/// party). Asked once an IP or an address has sent, or failed, <see cref="OrganizationSettings.ProofOfWorkThreshold"/>
/// attempts within Login:RateLimitWindow; each attempt over it makes the puzzle harder, so a script sending
/// thousands pays more per email while a person pays a second or two. Counted from the login attempts themselves
/// (sent rows, and their wrong codes), which every instance shares. A puzzle is bound to its login page, lives 10
/// minutes and is spent by one conditional update, so one solution sends one email whatever the concurrency.
/// </summary>
public sealed class ProofOfWork(AuthDbContext db, IOptions<LoginOptions> options, TimeProvider clock)
{
    public const int BaseDifficulty = 12;
    public const int MaxDifficulty = 20;
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    /// <summary>The difficulty this IP or address must pay now, or null when no challenge is needed.</summary>
    public async Task<int?> RequiredDifficultyAsync(CachedOrganization organization, string? ip, string normalizedEmail, CancellationToken cancellationToken)
    {
        var threshold = organization.Settings.ProofOfWorkThreshold;
        if (threshold <= 0)
        {
            return null;
        }

        var since = clock.GetUtcNow() - options.Value.RateLimitWindow;
        var recent = db.LoginAttempts.AsNoTracking().Where(a => a.OrganizationId == organization.Id && a.Created > since);
        var byIp = ip is null ? 0 : await recent.Where(a => a.Ip == ip).SumAsync(a => 1 + a.FailedChecks, cancellationToken);
        var byEmail = await recent.Where(a => a.NormalizedEmail == normalizedEmail).SumAsync(a => 1 + a.FailedChecks, cancellationToken);
        var count = Math.Max(byIp, byEmail);
        if (count < threshold)
        {
            return null;
        }

        // One more bit (twice the work) for every few attempts over the threshold.
        return Math.Min(MaxDifficulty, BaseDifficulty + (count - threshold) / 3);
    }

    /// <summary>A new puzzle for the page; the caller saves it.</summary>
    public ProofOfWorkPuzzle Issue(Guid authorizationRequestId, int difficulty)
    {
        var now = clock.GetUtcNow();
        var challenge = new ProofOfWorkChallenge
        {
            Id = Guid.NewGuid(),
            AuthorizationRequestId = authorizationRequestId,
            Challenge = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
            Difficulty = difficulty,
            Created = now,
            ExpiresAt = now + Lifetime,
        };
        db.ProofOfWorkChallenges.Add(challenge);
        return new ProofOfWorkPuzzle(challenge.Id, challenge.Challenge, difficulty);
    }

    /// <summary>
    /// Spends the puzzle (whatever the answer: a wrong one cannot be retried) and checks the answer against at
    /// least <paramref name="required"/> bits. Refusals are captchaInvalid.
    /// </summary>
    public async Task<AuthError?> SpendAsync(Guid? puzzleId, string? counter, Guid authorizationRequestId, int required, CancellationToken cancellationToken)
    {
        if (puzzleId is null || string.IsNullOrEmpty(counter) || counter.Length > 20 || !counter.All(char.IsAsciiDigit))
        {
            return Refused("Your browser must solve a short check before we send an email. Wait for it to finish, then press Continue.");
        }

        var now = clock.GetUtcNow();
        var spent = await db.Database.SqlQuery<SpentPuzzle>($"""
            UPDATE proof_of_work_challenges SET "SpentAt" = {now}
            WHERE "Id" = {puzzleId} AND "AuthorizationRequestId" = {authorizationRequestId} AND "SpentAt" IS NULL AND "ExpiresAt" > {now}
            RETURNING "Challenge", "Difficulty"
            """).ToListAsync(cancellationToken);
        if (spent.Count != 1)
        {
            return Refused("This check was already used or has expired. Your browser solves a new one; press Continue when it is done.");
        }

        var puzzle = spent[0];
        return puzzle.Difficulty >= required && LeadingZeroBits(SHA256.HashData(Encoding.ASCII.GetBytes(puzzle.Challenge + ":" + counter))) >= puzzle.Difficulty
            ? null
            : Refused("The check was not solved. Your browser solves a new one; press Continue when it is done.");
    }

    public static int LeadingZeroBits(ReadOnlySpan<byte> hash)
    {
        var bits = 0;
        foreach (var b in hash)
        {
            if (b == 0)
            {
                bits += 8;
                continue;
            }

            return bits + System.Numerics.BitOperations.LeadingZeroCount((uint)b) - 24;
        }

        return bits;
    }

    private static AuthError Refused(string message) => new(ErrorCatalog.CaptchaInvalid, message);

    private sealed class SpentPuzzle
    {
        public required string Challenge { get; init; }
        public int Difficulty { get; init; }
    }
}
