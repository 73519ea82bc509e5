using AuthServer.Data;
using AuthServer.Errors;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AuthServer.Hosting;

/// <summary>
/// What must be true before the server takes requests: the database reachable and migrated, and the token
/// keys loaded. Runs once at start, before Kestrel listens.
/// </summary>
public sealed class DatabaseInitializer(
    IServiceScopeFactory scopes,
    IOptions<ServerOptions> options,
    ServerKeyRing keyRing,
    ILogger<DatabaseInitializer> logger)
{
    // An arbitrary constant shared by every instance: the advisory lock that makes migrations run once.
    private const long MigrationLockId = 0x417574685365; // "AuthSe"

    public async Task InitializeAsync(bool applyMigrations, CancellationToken cancellationToken)
    {
        await WaitForDatabaseAsync(cancellationToken);
        if (applyMigrations)
        {
            await MigrateAsync(cancellationToken);
        }

        await using var scope = scopes.CreateAsyncScope();
        await keyRing.LoadAsync(scope.ServiceProvider, cancellationToken);
        await scope.ServiceProvider.GetRequiredService<Features.Connect.OpenIddictClientSync>().SyncMissingAsync(cancellationToken);
    }

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AuthDbContext>();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            // Several instances starting at the same moment queue here; the first applies the migrations,
            // the others find nothing pending.
            await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_lock({MigrationLockId})", cancellationToken);
            // Note: MigrateAsync also diffs the model against the last migration's snapshot, which costs about a
            // second of start-up; a restart with nothing to apply (the usual case) only lists the history.
            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            if (pending.Count > 0)
            {
                await db.Database.MigrateAsync(cancellationToken);
                logger.LogInformation("Applied migrations {Migrations}", string.Join(", ", pending));
            }

            logger.LogInformation("Database schema is up to date");
        }
        finally
        {
            await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_unlock({MigrationLockId})", CancellationToken.None);
            await db.Database.CloseConnectionAsync();
        }
    }

    private async Task WaitForDatabaseAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(options.Value.DatabaseStartupTimeoutSeconds);
        while (true)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<AuthDbContext>();
                await db.Database.OpenConnectionAsync(cancellationToken);
                await db.Database.CloseConnectionAsync();
                return;
            }
            catch (Exception exception) when (ErrorHandlingMiddleware.IsDatabaseUnavailable(exception) && DateTime.UtcNow < deadline)
            {
                logger.LogWarning("Database not reachable yet ({Reason}); retrying", exception.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }
    }
}
