using Npgsql;

namespace AuthServer.Tests.Infrastructure;

/// <summary>A fresh, empty database on the test PostgreSQL, dropped afterwards. One per fixture: tests never share data.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string admin;

    private TestDatabase(string name, string connectionString, string admin) => (Name, ConnectionString, this.admin) = (name, connectionString, admin);

    public string Name { get; }
    public string ConnectionString { get; }

    /// <param name="adminConnectionString">The cluster to create it on: the run's shared one unless given.</param>
    public static async Task<TestDatabase> CreateAsync(string? adminConnectionString = null)
    {
        var admin = adminConnectionString ?? TestEnvironment.PostgresAdminConnectionString;
        var name = "test_" + Guid.NewGuid().ToString("N")[..16];
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }

        // On the run's shared cluster the tests' servers get generous timeouts: the machine runs many tests at
        // once on few cores, and a query starved of CPU for a second is not what those tests are about. The
        // outage tests (own cluster) keep the server's short defaults, which they measure.
        var builder = adminConnectionString is null
            ? new NpgsqlConnectionStringBuilder(admin) { Database = name, Timeout = 15, CommandTimeout = 30 }
            : new NpgsqlConnectionStringBuilder(admin) { Database = name };
        return new TestDatabase(name, builder.ConnectionString, admin);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            await using var connection = new NpgsqlConnection(admin);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)", connection);
            await command.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException)
        {
            // The cluster is thrown away at the end of the run anyway.
        }
    }
}
