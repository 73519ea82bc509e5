using AuthServer.Data;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AuthServer.Tests.Infrastructure;

/// <summary>The real server (Program) on a real PostgreSQL database, in process.</summary>
public sealed class AuthServerFactory(string connectionString, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    : WebApplicationFactory<Program>
{
    public const string PublicBaseUrl = "http://localhost";

    /// <summary>The hosting environment the server starts in.</summary>
    public string EnvironmentName { get; init; } = "Testing";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(EnvironmentName);
        // As in Development (./run.sh): a singleton that reaches a scoped service through the root provider fails
        // here too, not only on a developer's first sign-in.
        builder.UseDefaultServiceProvider(options =>
        {
            options.ValidateScopes = true;
            options.ValidateOnBuild = true;
        });
        var values = new Dictionary<string, string?>
        {
            ["ConnectionStrings:AuthDb"] = connectionString,
            ["Server:PublicBaseUrl"] = PublicBaseUrl,
            ["Logging:Format"] = "simple",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        builder.ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(values));
        // The server's logs would bury the test results; failures are asserted, not read from logs.
        builder.ConfigureLogging(logging => logging.ClearProviders());
        if (services is not null)
        {
            builder.ConfigureServices(services);
        }
    }

    /// <summary>A scope to reach the database and services directly, for arranging and asserting.</summary>
    public async Task<T> WithDbAsync<T>(Func<AuthDbContext, Task<T>> action)
    {
        await using var scope = Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<AuthDbContext>());
    }
}
