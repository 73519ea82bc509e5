using AuthServer.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace AuthServer.Hosting;

public static class DatabaseSetup
{
    public const string ConnectionStringName = "AuthDb";

    /// <summary>The pooled DbContext on PostgreSQL, with timeouts short enough that an outage answers 503 quickly instead of hanging.</summary>
    public static IServiceCollection AddAuthDatabase(this IServiceCollection services)
    {
        // Read when the first context is built, so configuration added late (tests, hosting) is seen.
        services.AddDbContextPool<AuthDbContext>((provider, options) =>
        {
            options.UseNpgsql(ConnectionString(provider.GetRequiredService<IConfiguration>()), npgsql => npgsql.MigrationsAssembly("AuthServer.Migrations"));
            options.UseOpenIddict();
        });
        return services;
    }

    public static string ConnectionString(IConfiguration configuration)
    {
        var configured = configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(configured))
        {
            throw new InvalidOperationException(
                $"No database configured: set ConnectionStrings:{ConnectionStringName} (environment variable ConnectionStrings__{ConnectionStringName}), or start the server with ./run.sh, which starts a local PostgreSQL.");
        }

        var builder = new NpgsqlConnectionStringBuilder(configured);
        // Note: defaults of 15 s (connect) and 30 s (command) would hold requests during an outage far longer
        // than a client waits. A configured value always wins.
        if (!configured.Contains("Timeout", StringComparison.OrdinalIgnoreCase))
        {
            builder.Timeout = 5;
            builder.CommandTimeout = 15;
        }

        return builder.ConnectionString;
    }
}
