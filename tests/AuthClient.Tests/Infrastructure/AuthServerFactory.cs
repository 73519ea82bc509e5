using AuthServer.Data;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AuthServer.AuthClientTests.Infrastructure;

/// <summary>The real auth server (its Program) on a real PostgreSQL database, in process.</summary>
public sealed class AuthServerFactory(string connectionString, IDictionary<string, string?> settings) : WebApplicationFactory<Program>
{
    public LogCapture Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        var values = new Dictionary<string, string?>
        {
            ["ConnectionStrings:AuthDb"] = connectionString,
            ["Logging:Format"] = "simple",
        };
        foreach (var (key, value) in settings)
        {
            values[key] = value;
        }

        builder.ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(values));
        // The server's log is not printed, but kept: tests assert what an operator would find in it.
        builder.ConfigureLogging(logging => logging.ClearProviders().AddProvider(Logs));
    }

    /// <summary>The server's database, for arranging (expired sessions, blocked users) and asserting.</summary>
    public async Task<T> WithDbAsync<T>(Func<AuthDbContext, Task<T>> action)
    {
        await using var scope = Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<AuthDbContext>());
    }
}
