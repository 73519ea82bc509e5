using AuthServer.Features.Admin;
using AuthServer.Hosting;

// Commands: (none) serve; "migrate" apply migrations and exit; "apikey create --name <name>" print a new admin API key.
var command = args.FirstOrDefault(a => !a.StartsWith('-')) ?? "serve";
var hostArgs = args.Where(a => a != command).ToArray();

var builder = WebApplication.CreateBuilder(hostArgs);
builder.AddAuthServer();
if (command != "serve")
{
    // A command's output is for the person at the terminal: only problems are logged.
    builder.Logging.AddFilter(level => level >= LogLevel.Warning);
}

var app = builder.Build();

var initializer = app.Services.GetRequiredService<DatabaseInitializer>();
switch (command)
{
    case "migrate":
        await initializer.MigrateAsync(app.Lifetime.ApplicationStopping);
        Console.WriteLine("Migrations applied.");
        return 0;
    case ApiKeyCommand.Name:
        return await ApiKeyCommand.RunAsync(app, args, app.Lifetime.ApplicationStopping);
    case "serve":
        break;
    default:
        Console.Error.WriteLine($"Unknown command '{command}'. Commands: serve (default), migrate, apikey.");
        return 2;
}

var serverOptions = app.Configuration.GetSection(ServerOptions.Section).Get<ServerOptions>() ?? new ServerOptions();
await initializer.InitializeAsync(serverOptions.ApplyMigrationsAtStartup, app.Lifetime.ApplicationStopping);
await app.Services.GetRequiredService<DemoOrganizationSeeder>().SeedAsync(app.Lifetime.ApplicationStopping);

app.UseAuthServer();
await app.RunAsync();
return 0;

/// <summary>Visible to the functional tests' WebApplicationFactory.</summary>
public partial class Program;
