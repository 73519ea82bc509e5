using System.Data;
using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;

namespace AuthServer.Hosting;

/// <summary>
/// The first request after PostgreSQL restarts would otherwise fail: the pool hands out a connection whose
/// server process is gone, and only the first command on it finds out. So the first command on a connection
/// just taken from the pool, outside a transaction, is run once more on a new connection when it fails
/// because that connection is broken; the pool's other idle connections are dropped too, since they died
/// with the same server. A timeout is not retried: a hung database would only double the wait.
/// </summary>
public sealed class BrokenConnectionRetry(ILogger<BrokenConnectionRetry> logger) : DbConnectionInterceptor, IDbCommandInterceptor
{
    // Connections opened and not yet used; a pooled context keeps its DbConnection object, so this stays small.
    private readonly ConditionalWeakTable<DbConnection, object> fresh = [];
    private static readonly object Marker = new();

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        fresh.AddOrUpdate(connection, Marker);
        return Task.CompletedTask;
    }

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => fresh.AddOrUpdate(connection, Marker);

    public async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default) =>
        IsFirstCommand(command)
            ? InterceptionResult<DbDataReader>.SuppressWithResult(await RunWithRetryAsync(command, c => c.ExecuteReaderAsync(cancellationToken), cancellationToken))
            : result;

    public async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<int> result, CancellationToken cancellationToken = default) =>
        IsFirstCommand(command)
            ? InterceptionResult<int>.SuppressWithResult(await RunWithRetryAsync(command, c => c.ExecuteNonQueryAsync(cancellationToken), cancellationToken))
            : result;

    public async ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<object> result, CancellationToken cancellationToken = default) =>
        IsFirstCommand(command)
            ? InterceptionResult<object>.SuppressWithResult((await RunWithRetryAsync(command, c => c.ExecuteScalarAsync(cancellationToken), cancellationToken))!)
            : result;

    private bool IsFirstCommand(DbCommand command) =>
        command.Connection is { } connection && fresh.Remove(connection) && command.Transaction is null;

    private async Task<T> RunWithRetryAsync<T>(DbCommand command, Func<DbCommand, Task<T>> execute, CancellationToken cancellationToken)
    {
        try
        {
            return await execute(command);
        }
        catch (NpgsqlException exception) when (IsBrokenConnection(command.Connection!, exception))
        {
            var connection = command.Connection!;
            logger.LogWarning("A pooled database connection was broken ({Reason}); retrying on a new connection", exception.Message);
            NpgsqlConnection.ClearPool((NpgsqlConnection)connection);
            await connection.CloseAsync();
            await connection.OpenAsync(cancellationToken);
            return await execute(command);
        }
    }

    /// <summary>The connection died under the command (server restarted, connection reset), not a slow or failing query.</summary>
    internal static bool IsBrokenConnection(DbConnection connection, NpgsqlException exception)
    {
        if (connection.State == ConnectionState.Open)
        {
            return false;
        }

        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current is TimeoutException)
            {
                return false;
            }
        }

        return exception is not PostgresException postgres
            || postgres.SqlState.StartsWith("57P", StringComparison.Ordinal)
            || postgres.SqlState.StartsWith("08", StringComparison.Ordinal);
    }
}
