using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Npgsql;

namespace AuthServer.Tests.Infrastructure;

/// <summary>
/// A PgBouncer (Debian's package, installed by .ci/run) in transaction pooling mode in front of one test
/// database, the way deployments put it between many server instances and one PostgreSQL primary.
/// </summary>
public sealed class PgBouncer : IAsyncDisposable
{
    private readonly string root;
    private readonly Process process;

    private PgBouncer(string root, Process process, int port) => (this.root, this.process, Port) = (root, process, port);

    public int Port { get; }

    public static async Task<PgBouncer> StartAsync(TestDatabase database)
    {
        const string binary = "/usr/sbin/pgbouncer";
        if (!File.Exists(binary))
        {
            throw new InvalidOperationException("PgBouncer is not installed (apt-get install pgbouncer; .ci/run does it).");
        }

        var target = new NpgsqlConnectionStringBuilder(database.ConnectionString);
        var root = Path.Combine(Path.GetTempPath(), "authtest-pgbouncer-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        var port = ServerProcess.FreePort();
        var ini = Path.Combine(root, "pgbouncer.ini");
        await File.WriteAllTextAsync(ini, string.Join('\n',
            "[databases]",
            $"{database.Name} = host={target.Host} port={target.Port} dbname={database.Name} user={target.Username}",
            "[pgbouncer]",
            "listen_addr = 127.0.0.1",
            $"listen_port = {port.ToString(CultureInfo.InvariantCulture)}",
            $"unix_socket_dir = {root}",
            "auth_type = trust",
            $"auth_file = {Path.Combine(root, "users.txt")}",
            "pool_mode = transaction",
            "default_pool_size = 10",
            "max_client_conn = 200",
            "ignore_startup_parameters = extra_float_digits,options",
            ""));
        await File.WriteAllTextAsync(Path.Combine(root, "users.txt"), $"\"{target.Username}\" \"\"\n");
        // PgBouncer refuses to run as root; as root it is told to switch to the postgres user, who must read the folder.
        var start = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (Environment.UserName == "root" && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
            start.ArgumentList.Add("-u");
            start.ArgumentList.Add("postgres");
        }

        start.ArgumentList.Add(ini);
        var process = Process.Start(start)!;
        var bouncer = new PgBouncer(root, process, port);
        for (var i = 0; i < 100; i++)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"PgBouncer exited: {await process.StandardError.ReadToEndAsync()}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                return bouncer;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        await bouncer.DisposeAsync();
        throw new InvalidOperationException("PgBouncer did not listen within 10 s.");
    }

    /// <summary>
    /// The database through the bouncer, with the settings Npgsql's documentation gives for transaction pooling:
    /// no connection reset on close (DISCARD ALL would run in a transaction of its own) and no automatic preparation.
    /// </summary>
    public string ConnectionStringFor(TestDatabase database) =>
        new NpgsqlConnectionStringBuilder(database.ConnectionString) { Port = Port, NoResetOnClose = true, MaxAutoPrepare = 0 }.ConnectionString;

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (!process.HasExited)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        process.Dispose();
        Directory.Delete(root, recursive: true);
    }
}
