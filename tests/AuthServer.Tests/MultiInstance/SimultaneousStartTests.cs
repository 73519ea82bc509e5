using AuthServer.Tests.Infrastructure;
using Npgsql;

namespace AuthServer.Tests.MultiInstance;

public sealed class SimultaneousStartTests
{
    [Fact]
    public async Task Two_instances_starting_at_once_on_an_empty_database_migrate_it_once_and_share_one_key_set()
    {
        await using var database = await TestDatabase.CreateAsync();
        var outbox = Path.Combine(Path.GetTempPath(), "authserver-start-" + Guid.NewGuid().ToString("N"));
        var port = ServerProcess.FreePort();
        var publicUrl = $"http://localhost:{port}";

        var starting = new[]
        {
            ServerProcess.StartAsync(database.ConnectionString, publicUrl, outbox, port: port),
            ServerProcess.StartAsync(database.ConnectionString, publicUrl, outbox),
        };
        var servers = await Task.WhenAll(starting);
        try
        {
            await using var connection = new NpgsqlConnection(database.ConnectionString);
            await connection.OpenAsync();
            await using var keys = new NpgsqlCommand("SELECT count(*) FROM server_keys GROUP BY \"Use\" HAVING count(*) > 1", connection);
            Assert.Null(await keys.ExecuteScalarAsync());

            // Both serve the same signing key: tokens from one validate on the other.
            using var http = new HttpClient();
            Assert.Equal(await http.GetStringAsync(servers[0].BaseUrl + "/.well-known/jwks"), await http.GetStringAsync(servers[1].BaseUrl + "/.well-known/jwks"));
        }
        finally
        {
            foreach (var server in servers)
            {
                await server.DisposeAsync();
            }

            if (Directory.Exists(outbox))
            {
                Directory.Delete(outbox, recursive: true);
            }
        }
    }
}
