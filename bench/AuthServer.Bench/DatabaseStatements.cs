using Npgsql;

namespace AuthServer.Bench;

/// <summary>
/// The statements and COMMITs the server's database has run so far (pg_stat_statements, through
/// bench/statements.sql), read just before and just after the driver's measured phase so that the warm-up's
/// statements are not counted. Absent (no --statements-sql, or no extension) it reads nothing.
/// </summary>
public sealed class DatabaseStatements(string? sql)
{
    public static DatabaseStatements From(Options options)
    {
        var path = options.Get("statements-sql", "");
        return new DatabaseStatements(path.Length > 0 && File.Exists(path) ? File.ReadAllText(path) : null);
    }

    public async Task<(long Statements, long Commits)?> ReadAsync()
    {
        var connectionString = Environment.GetEnvironmentVariable("ConnectionStrings__AuthDb");
        if (sql is null || string.IsNullOrEmpty(connectionString))
        {
            return null;
        }

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? (Convert.ToInt64(reader.GetValue(0)), Convert.ToInt64(reader.GetValue(1))) : null;
    }
}
