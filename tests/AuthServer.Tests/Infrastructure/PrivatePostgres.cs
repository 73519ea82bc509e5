using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace AuthServer.Tests.Infrastructure;

/// <summary>
/// A PostgreSQL cluster of its own (scripts/pg.sh, like the run's shared one), for tests that stop, restart
/// or freeze the database: the other tests, running in parallel on the shared cluster, never notice.
/// </summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    private readonly string root;

    private PrivatePostgres(string root, int port) => (this.root, Port) = (root, port);

    public int Port { get; }
    public string DataDirectory => Path.Combine(root, "pg");
    public string AdminConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres";

    public static async Task<PrivatePostgres> StartAsync()
    {
        var root = Path.Combine(Path.GetTempPath(), "authtest-private-pg-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        // The postgres user (pg.sh runs the cluster as it when we are root) must reach the data directory.
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("scripts/pg.sh needs a Unix machine.");
        }

        File.SetUnixFileMode(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var postgres = new PrivatePostgres(root, ServerProcess.FreePort());
        await postgres.StartServerAsync();
        return postgres;
    }

    /// <summary>A fresh database on this cluster.</summary>
    public Task<TestDatabase> CreateDatabaseAsync() => TestDatabase.CreateAsync(AdminConnectionString);

    /// <summary>Starts the cluster (again); returns once it accepts connections.</summary>
    public Task StartServerAsync() => PgAsync("start", DataDirectory, Port.ToString(CultureInfo.InvariantCulture));

    /// <summary>A fast shutdown: sessions are terminated, the way a restart or failover ends them.</summary>
    public Task StopServerAsync() => PgAsync("stop", DataDirectory);

    /// <summary>SIGSTOP to every process of the cluster: it hangs, accepting TCP connections and answering nothing.</summary>
    public Task FreezeAsync() => SignalAsync("STOP");

    /// <summary>SIGCONT: the frozen cluster carries on.</summary>
    public Task ThawAsync() => SignalAsync("CONT");

    private async Task SignalAsync(string signal)
    {
        var postmaster = int.Parse((await File.ReadAllLinesAsync(Path.Combine(DataDirectory, "postmaster.pid")))[0], CultureInfo.InvariantCulture);
        var pids = ChildrenOf(postmaster).Prepend(postmaster).Select(p => p.ToString(CultureInfo.InvariantCulture));
        using var kill = Process.Start("kill", ["-" + signal, .. pids])!;
        await kill.WaitForExitAsync();
    }

    private static IEnumerable<int> ChildrenOf(int parent)
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
            {
                continue;
            }

            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(directory, "stat"));
            }
            catch (IOException)
            {
                continue; // exited meanwhile
            }

            // "pid (comm) state ppid ...": comm may contain spaces, so read after its closing parenthesis.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (int.Parse(fields[1], CultureInfo.InvariantCulture) == parent)
            {
                yield return pid;
            }
        }
    }

    private static async Task PgAsync(params string[] arguments)
    {
        var script = TestEnvironment.PostgresScript ?? throw new InvalidOperationException("AUTH_TEST_PG_SCRIPT is not set: run ./test.sh.");
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["PG_FAST"] = "1";
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"pg.sh {string.Join(' ', arguments)} failed: {await error}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            await ThawAsync();
        }
        catch (Exception exception) when (exception is IOException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Not running.
        }

        await StopServerAsync();
        Directory.Delete(root, recursive: true);
    }
}
