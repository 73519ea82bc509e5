using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using AuthServer.Data;
using AuthServer.Data.Entities;
using AuthServer.Features.CentralAuthApi;
using AuthServer.Features.Organizations;
using AuthServer.Features.Sessions;
using AuthServer.Hosting;
using Microsoft.Extensions.Options;

namespace AuthServer.Bench;

/// <summary>The organization every scenario uses, as written by seed-org.</summary>
public sealed record BenchOrganization(Guid Id, string Secret)
{
    public const string Origin = "https://app.example.com";
    public const string Callback = Origin + "/callback";

    public string ClientId => Id.ToString();

    public string Basic => "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{Id}:{Secret}"));

    public static BenchOrganization Load(string dataDir) =>
        JsonSerializer.Deserialize<BenchOrganization>(File.ReadAllText(Path.Combine(dataDir, "org.json")))
        ?? throw new BenchException("org.json is empty");
}

/// <summary>
/// Everything the scenarios need, made through the server's own code paths: the organization with
/// OrganizationService, tokens by real sign-ins over HTTP, the 100,000-session footprint with SessionService.
/// </summary>
public static class Seeding
{
    public static async Task SeedOrganizationAsync(Options options)
    {
        var dataDir = options.Get("data");
        await using var server = ServerServices.Build();
        await using var scope = server.Services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<OrganizationService>().CreateAsync(
            "Bench", [BenchOrganization.Origin], o => o.RedirectUris = [BenchOrganization.Callback], CancellationToken.None);
        var organization = new BenchOrganization(created.Organization.Id, created.Secret);
        Directory.CreateDirectory(dataDir);
        await File.WriteAllTextAsync(Path.Combine(dataDir, "org.json"), JsonSerializer.Serialize(organization));
        // For the wrk scripts (read with os.getenv after run.sh sources this file).
        await File.WriteAllTextAsync(Path.Combine(dataDir, "org.env"), $"BENCH_CLIENT_ID='{organization.ClientId}'\nBENCH_BASIC='{organization.Basic}'\n");
        Console.WriteLine($"seed: organization {organization.ClientId}");
    }

    /// <summary>
    /// Real sign-ins: CentralAuth-face ones give session tokens (userinfo), OpenID Connect ones give access
    /// tokens (introspection) and refresh tokens (one rotation chain each).
    /// </summary>
    public static async Task SeedOverHttpAsync(Options options)
    {
        var dataDir = options.Get("data");
        var organization = BenchOrganization.Load(dataDir);
        var signIns = options.Int("signins", 200);
        var oidc = options.Int("oidc", 50);
        var concurrency = options.Int("concurrency", 16);
        // --prefix names a second set of files (the peers' fresh tokens) without touching the first.
        var prefix = options.Get("prefix", "");
        var ipOffset = options.Int("ip-offset", 0);
        using var http = Http.NewClient(options.Get("base"), concurrency);
        var outbox = new OutboxReader(options.Get("outbox"));
        var run = Guid.NewGuid().ToString("N")[..8];
        var stopwatch = Stopwatch.StartNew();

        var sessionTokens = new string[signIns];
        await ForEachAsync(signIns, concurrency, async i =>
            sessionTokens[i] = await new BrowserFlow(http, outbox, organization, VirtualIp.Of(ipOffset + i)).CentralAuthSignInAsync($"seed-{run}-{i}@bench.example.com", null));
        await File.WriteAllLinesAsync(Path.Combine(dataDir, prefix + "session-tokens.txt"), sessionTokens);

        var accessTokens = new string[oidc];
        var refreshTokens = new string[oidc];
        await ForEachAsync(oidc, concurrency, async i =>
        {
            var tokens = await new BrowserFlow(http, outbox, organization, VirtualIp.Of(ipOffset + signIns + i)).OidcSignInAsync($"seed-oidc-{run}-{i}@bench.example.com");
            (accessTokens[i], refreshTokens[i]) = tokens;
        });
        await File.WriteAllLinesAsync(Path.Combine(dataDir, prefix + "access-tokens.txt"), accessTokens);
        await File.WriteAllLinesAsync(Path.Combine(dataDir, prefix + "refresh-tokens.txt"), refreshTokens);
        Console.WriteLine($"seed: {signIns} CentralAuth and {oidc} OpenID Connect sign-ins over HTTP in {stopwatch.Elapsed.TotalSeconds:F1} s");
    }

    /// <summary>
    /// Active sessions for the footprint row: users and verified sessions added through SessionService in
    /// batches (a sign-in per session over HTTP would take minutes), and a CentralAuth token minted for each
    /// with the server's own CentralAuthTokens, so a userinfo pass can touch them.
    /// </summary>
    public static async Task SeedSessionsAsync(Options options)
    {
        var dataDir = options.Get("data");
        var count = options.Int("count", 100_000);
        const int batchSize = 5_000;
        const int sessionsPerUser = 5;
        var organization = BenchOrganization.Load(dataDir);
        await using var server = ServerServices.Build();
        var issuer = server.Services.GetRequiredService<IOptions<ServerOptions>>().Value.PublicBaseUri.ToString();
        var stopwatch = Stopwatch.StartNew();
        var run = Guid.NewGuid().ToString("N")[..8];
        await using var tokens = new StreamWriter(Path.Combine(dataDir, "minted-tokens.txt"));
        User? user = null;
        for (var start = 0; start < count; start += batchSize)
        {
            await using var scope = server.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AuthDbContext>();
            var sessions = scope.ServiceProvider.GetRequiredService<SessionService>();
            var minted = new List<(Session Session, long Expires)>();
            for (var i = start; i < Math.Min(count, start + batchSize); i++)
            {
                var now = DateTimeOffset.UtcNow;
                if (i % sessionsPerUser == 0 || user is null)
                {
                    var email = $"footprint-{run}-{i / sessionsPerUser}@bench.example.com";
                    user = new User { Id = Guid.NewGuid(), OrganizationId = organization.Id, Email = email, NormalizedEmail = email, Verified = true, Created = now, Updated = now, LastLogin = now };
                    db.Users.Add(user);
                }

                var session = sessions.Start(organization.Id, user, SessionService.MethodEmail, new ClientContext(VirtualIp.Of(i), "Bench/1.0", null));
                session.VerifiedAt = now;
                minted.Add((session, now.AddSeconds(new OrganizationSettings().MaxSessionTime).ToUnixTimeSeconds()));
            }

            await db.SaveChangesAsync();
            foreach (var (session, expires) in minted)
            {
                // The claims CodeExchangeService puts in an access token.
                var claims = new JsonObject
                {
                    ["sessionId"] = session.Id.ToString(),
                    ["sub"] = session.UserId.ToString(),
                    ["iss"] = issuer,
                    ["aud"] = organization.ClientId,
                    ["iat"] = session.Created.ToUnixTimeSeconds(),
                    ["exp"] = expires,
                };
                await tokens.WriteLineAsync(CentralAuthTokens.Encrypt(claims, organization.Secret));
            }

            user = null;
        }

        Console.WriteLine($"seed: {count} active sessions through SessionService in {stopwatch.Elapsed.TotalSeconds:F1} s");
    }

    /// <summary>Runs <paramref name="body"/> for 0..count-1 with at most <paramref name="concurrency"/> at a time.</summary>
    public static Task ForEachAsync(int count, int concurrency, Func<int, Task> body) =>
        Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, _) => await body(i));
}

/// <summary>The server's service container, built from the same configuration (environment) but never started.</summary>
public static class ServerServices
{
    public static WebApplication Build()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.AddAuthServer();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        return builder.Build();
    }
}

/// <summary>
/// A distinct client address per sign-in, sent as X-Forwarded-For (the server trusts 127.0.0.1 as its proxy
/// in the bench): the per-IP rate limits stay at their defaults, and no single counter row becomes the hot
/// spot a real deployment does not have.
/// </summary>
public static class VirtualIp
{
    public static string Of(long i) => $"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}";
}
