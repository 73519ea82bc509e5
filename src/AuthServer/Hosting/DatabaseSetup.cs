using System.Data.Common;
using AuthServer.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;

namespace AuthServer.Hosting;

public static class DatabaseSetup
{
    public const string ConnectionStringName = "AuthDb";

    /// <summary>The name of the connection pool in Npgsql's metrics (<c>db.client.connection.pool.name</c>).</summary>
    public const string DataSourceName = "authdb";

    /// <summary>Bounds of one database call unless the connection string sets its own (see <see cref="ConnectionString"/>).</summary>
    public const int DefaultConnectTimeoutSeconds = 1;
    public const int DefaultCommandTimeoutSeconds = 1;

    /// <summary>The pooled DbContext on PostgreSQL, with timeouts short enough that an outage answers 503 quickly instead of hanging.</summary>
    public static IServiceCollection AddAuthDatabase(this IServiceCollection services)
    {
        services.AddSingleton<BrokenConnectionRetry>();
        // One data source for the process, named: Npgsql labels its pool metrics with the data source's name, which
        // is otherwise the connection string (the database's host, port and user in every scrape).
        // Built when the first context is, so configuration added late (tests, hosting) is seen.
        services.AddSingleton(provider => new NpgsqlDataSourceBuilder(ConnectionString(provider.GetRequiredService<IConfiguration>()))
        {
            Name = DataSourceName,
        }.Build());
        services.AddDbContextPool<AuthDbContext>((provider, options) =>
        {
            options.UseNpgsql(provider.GetRequiredService<NpgsqlDataSource>(), npgsql => npgsql.MigrationsAssembly("AuthServer.Migrations"));
            options.UseOpenIddict();
            options.AddInterceptors(provider.GetRequiredService<BrokenConnectionRetry>());
            // EF Core would log every failed query with its stack trace (7 KB a request during an outage); the
            // error middleware logs each failure once already: one warning line for an unreachable database,
            // the exception with the trace id for anything else.
            options.ConfigureWarnings(warnings => warnings.Log(
                (CoreEventId.QueryIterationFailed, LogLevel.Debug),
                (CoreEventId.SaveChangesFailed, LogLevel.Debug),
                (RelationalEventId.ConnectionError, LogLevel.Debug),
                (RelationalEventId.CommandError, LogLevel.Debug),
                (RelationalEventId.TransactionError, LogLevel.Debug)));
        });
        return services;
    }

    public static string ConnectionString(IConfiguration configuration)
    {
        var configured = configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(configured))
        {
            throw new DatabaseNotConfiguredException(
                $"No database configured: set ConnectionStrings:{ConnectionStringName} (environment variable ConnectionStrings__{ConnectionStringName}), "
                + "or start the server with ./run.sh, which starts a local PostgreSQL. A command run beside ./run.sh needs its database too: "
                + $"ConnectionStrings__{ConnectionStringName}=\"Host=127.0.0.1;Port=55432;Database=authserver;Username=postgres\".");
        }

        // Note: Npgsql's defaults (15 s to connect, 30 s per command) hold a request far longer than a client
        // waits when the database hangs (a stopped process, a network cut): the server accepts TCP connections and
        // answers nothing. Here the worst case is a command already sent on an open connection: 1 s of command
        // timeout, then Npgsql's cancellation request, which opens a connection of its own (bounded by the
        // connect timeout, 1 s more; GSS encryption is not attempted, or that would double it), then the
        // connection is dropped without waiting for the cancellation's outcome. So every database call gives up
        // within about 2 s, and the request answers 503 within 3 s. Every query of the request path takes
        // milliseconds; the few long ones (migrations, the cleanup) set their own command timeout.
        // A value set in the connection string always wins.
        var set = new DbConnectionStringBuilder { ConnectionString = configured }.Keys.Cast<string>()
            .Select(k => k.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant()).ToHashSet();
        var builder = new NpgsqlConnectionStringBuilder(configured);
        if (!set.Contains("timeout") && !set.Contains("connecttimeout") && !set.Contains("connectiontimeout"))
        {
            builder.Timeout = DefaultConnectTimeoutSeconds;
        }

        if (!set.Contains("commandtimeout"))
        {
            builder.CommandTimeout = DefaultCommandTimeoutSeconds;
        }

        if (!set.Contains("cancellationtimeout"))
        {
            builder.CancellationTimeout = -1;
        }

        if (!set.Contains("noresetonclose"))
        {
            // Npgsql would run DISCARD ALL on every reuse of a pooled connection: 16 of 61 statements per email
            // sign-in, half of a userinfo call's (pg_stat_statements, bench/README.md). The server keeps no
            // session state on a connection (no prepared statements, SET, LISTEN or temporary tables; the one
            // advisory lock, around migrations, is released in a finally), so there is nothing to reset.
            builder.NoResetOnClose = true;
        }

        if (!set.Contains("gssencryptionmode"))
        {
            // Kerberos setups name it; elsewhere "Prefer" costs a round trip per connection and a second attempt.
            builder.GssEncryptionMode = GssEncryptionMode.Disable;
        }

        return builder.ConnectionString;
    }
}

/// <summary>No connection string at all: the person at the terminal gets the message, not a stack trace (exit code 1).</summary>
public sealed class DatabaseNotConfiguredException(string message) : InvalidOperationException(message);
