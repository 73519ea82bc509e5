using System.Diagnostics;
using AuthServer.Tests.Infrastructure;
using Npgsql;

namespace AuthServer.Tests.Foundation;

/// <summary>The server binary's commands, run as a real process the way an operator runs them.</summary>
public sealed class CommandTests
{
    [Fact]
    public async Task Migrate_command_applies_every_migration_to_an_empty_database_and_exits()
    {
        await using var database = await TestDatabase.CreateAsync();

        var (exitCode, output) = await RunAsync(database.ConnectionString, "migrate");

        Assert.True(exitCode == 0, output);
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM \"__EFMigrationsHistory\"", connection);
        Assert.True((long)(await command.ExecuteScalarAsync())! >= 2);
    }

    [Fact]
    public async Task Unknown_command_exits_with_an_error()
    {
        await using var database = await TestDatabase.CreateAsync();

        var (exitCode, output) = await RunAsync(database.ConnectionString, "frobnicate");

        Assert.Equal(2, exitCode);
        Assert.Contains("Unknown command", output);
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
        return (process.ExitCode, await output + await error);
    }
}
