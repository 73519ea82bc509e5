using System.Diagnostics;
using System.Net;
using System.Text.Json;
using AuthServer.Tests.Infrastructure;
using Npgsql;

namespace AuthServer.Tests.Foundation;

/// <summary>The server binary's commands, run as a real process the way an operator runs them.</summary>
public sealed class CommandTests
{
    [Fact]
    public async Task Migrate_command_applies_every_migration_to_an_empty_database_says_which_and_exits()
    {
        await using var database = await TestDatabase.CreateAsync();

        var (exitCode, output) = await RunAsync(database.ConnectionString, "migrate");

        Assert.True(exitCode == 0, output);
        Assert.Contains("Applied", output);
        Assert.Contains("_Initial", output);
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM \"__EFMigrationsHistory\"", connection);
        Assert.True((long)(await command.ExecuteScalarAsync())! >= 2);

        var (again, secondOutput) = await RunAsync(database.ConnectionString, "migrate");
        Assert.True(again == 0, secondOutput);
        Assert.Contains("No pending migrations", secondOutput);
    }

    [Theory]
    [InlineData("migrate")]
    [InlineData("serve")]
    public async Task Database_unreachable_for_the_whole_start_up_wait_exits_3_with_one_clear_line(string command)
    {
        // Nothing listens on that port: every attempt is refused until the 2 s wait runs out.
        var unreachable = $"Host=127.0.0.1;Port={ServerProcess.FreePort()};Username=postgres;Database=none";
        var stopwatch = Stopwatch.StartNew();

        var (exitCode, output) = await RunAsync(unreachable, command, "--Server:DatabaseStartupTimeoutSeconds", "2", "--urls", $"http://127.0.0.1:{ServerProcess.FreePort()}");

        Assert.True(exitCode == 3, $"exit {exitCode}: {output}");
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(60), $"It took {stopwatch.Elapsed}.");
        Assert.Contains("not reachable within 2 s (Server:DatabaseStartupTimeoutSeconds)", output);
        Assert.DoesNotContain("   at ", output);
        Assert.DoesNotContain("Unhandled exception", output);
    }

    [Fact]
    public async Task Standard_host_arguments_pass_through_and_healthcheck_reports_readiness()
    {
        await using var database = await TestDatabase.CreateAsync();
        var url = $"http://127.0.0.1:{ServerProcess.FreePort()}";
        using var server = Start(database.ConnectionString, "--urls", url.Replace("127.0.0.1", "0.0.0.0", StringComparison.Ordinal));
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (await StatusAsync(http, url + "/health/ready") != HttpStatusCode.OK)
            {
                Assert.False(server.HasExited, "The server exited with " + (server.HasExited ? server.ExitCode : 0));
                Assert.True(DateTime.UtcNow < deadline, "The server did not serve on --urls within 60 s.");
                await Task.Delay(200);
            }

            // The wildcard address of --urls becomes the loopback address for the probe.
            var (ready, readyOutput) = await RunAsync(database.ConnectionString, "healthcheck", "--urls", url.Replace("127.0.0.1", "0.0.0.0", StringComparison.Ordinal));
            Assert.True(ready == 0, readyOutput);
            Assert.Contains("ready", readyOutput);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }

        var (down, downOutput) = await RunAsync(database.ConnectionString, "healthcheck", "--url", $"http://127.0.0.1:{ServerProcess.FreePort()}");
        Assert.True(down == 1, downOutput);
        Assert.Contains("unhealthy", downOutput);
    }

    [Fact]
    public async Task Apikey_create_with_json_prints_one_object_for_scripts()
    {
        await using var database = await TestDatabase.CreateAsync();

        var (exitCode, output) = await RunAsync(database.ConnectionString, "apikey", "create", "--name", "deploy bot", "--json");

        Assert.True(exitCode == 0, output);
        // Standard output holds the JSON alone (warnings go to standard error).
        var json = JsonDocument.Parse(LastStandardOutput.Trim()).RootElement;
        Assert.Equal("deploy bot", json.GetProperty("name").GetString());
        Assert.StartsWith("ak_", json.GetProperty("key").GetString());
        Assert.True(json.GetProperty("id").TryGetGuid(out _));
    }

    [Fact]
    public async Task Without_a_connection_string_every_command_exits_1_with_the_message_and_no_stack_trace()
    {
        foreach (var arguments in new[]
        {
            new[] { "apikey", "create", "--name", "ops" },
            ["admin", "add", "--email", "ada@example.com"],
            ["migrate"],
            ["serve", "--urls", $"http://127.0.0.1:{ServerProcess.FreePort()}"],
        })
        {
            var (exitCode, output) = await RunAsync("", arguments);

            Assert.True(exitCode == 1, $"{string.Join(' ', arguments)} exited {exitCode}: {output}");
            Assert.Contains("No database configured", output);
            Assert.Contains("Port=55432", output);
            Assert.DoesNotContain("Unhandled exception", output);
            Assert.DoesNotContain("   at ", output);
        }
    }

    [Fact]
    public async Task Help_lists_the_commands_and_exits_0()
    {
        var (exitCode, output) = await RunAsync("Host=unused", "--help");

        Assert.Equal(0, exitCode);
        foreach (var command in new[] { "serve", "migrate", "apikey create", "healthcheck", "--urls" })
        {
            Assert.Contains(command, output);
        }
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("serve", "--bogus")]
    [InlineData("migrate", "extra")]
    public async Task Unknown_command_or_argument_exits_2_with_an_error(params string[] arguments)
    {
        var (exitCode, output) = await RunAsync("Host=unused", arguments);

        Assert.Equal(2, exitCode);
        Assert.Matches("Unknown command|Unexpected argument", output);
    }

    private static Process Start(string connectionString, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(typeof(Program).Assembly.Location);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["ConnectionStrings__AuthDb"] = connectionString;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        start.Environment.Remove("ASPNETCORE_URLS");
        start.Environment.Remove("ASPNETCORE_HTTP_PORTS");
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<HttpStatusCode?> StatusAsync(HttpClient http, string url)
    {
        try
        {
            return (await http.GetAsync(url)).StatusCode;
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string connectionString, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(typeof(Program).Assembly.Location);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["ConnectionStrings__AuthDb"] = connectionString;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        LastStandardOutput = await output;
        return (process.ExitCode, LastStandardOutput + await error);
    }

    private static string LastStandardOutput { get; set; } = "";
}
