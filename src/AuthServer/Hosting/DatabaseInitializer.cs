using AuthServer.Data;
using AuthServer.Errors;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

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

    /// <summary>Applies the pending migrations (once across instances); returns their names, empty when none was pending.</summary>
    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AuthDbContext>();
        // Migrations, and waiting for another instance's, take longer than the request path's short command timeout.
        db.Database.SetCommandTimeout(MigrationTimeout);
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
            return pending;
        }
        finally
        {
            await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_unlock({MigrationLockId})", CancellationToken.None);
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>
    /// Waits until the database accepts a connection, for at most Server:DatabaseStartupTimeoutSeconds;
    /// then throws <see cref="DatabaseUnreachableException"/>, whose message is the whole story (no stack trace needed).
    /// </summary>
    public async Task WaitForDatabaseAsync(CancellationToken cancellationToken)
    {
        var timeout = options.Value.DatabaseStartupTimeoutSeconds;
        var deadline = DateTime.UtcNow.AddSeconds(timeout);
        while (true)
        {
            var failure = await TryConnectAsync(cancellationToken);
            if (failure is null)
            {
                return;
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new DatabaseUnreachableException(
                    $"The database was not reachable within {timeout} s (Server:DatabaseStartupTimeoutSeconds): {failure}. Check ConnectionStrings:AuthDb and that PostgreSQL is running.");
            }

            logger.LogWarning("Database not reachable yet ({Reason}); retrying", failure);
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }
    }

    /// <summary>One attempt to open a connection and run a query: null when it worked, else why not (one line).</summary>
    public async Task<string?> TryConnectAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AuthDbContext>();
            await db.Database.OpenConnectionAsync(cancellationToken);
            await db.Database.CloseConnectionAsync();
            return null;
        }
        catch (Exception exception) when (ErrorHandlingMiddleware.IsDatabaseUnavailable(exception) || exception is NpgsqlException)
        {
            return exception.GetBaseException().Message;
        }
    }

    private static readonly TimeSpan MigrationTimeout = TimeSpan.FromMinutes(10);
}

/// <summary>The start-up wait for the database ran out; the message says what to check.</summary>
public sealed class DatabaseUnreachableException(string message) : Exception(message);
