using AuthServer.Features.Admin;
using AuthServer.Hosting;

// Commands: (none) serve; "migrate" apply migrations and exit; "apikey create --name <name>" print a new admin API key;
// "keys rotate" create the next token keys.
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
    case KeyRotationCommand.Name:
        return await KeyRotationCommand.RunAsync(app, args, app.Lifetime.ApplicationStopping);
    case "serve":
        break;
    default:
        Console.Error.WriteLine($"Unknown command '{command}'. Commands: serve (default), migrate, apikey, keys.");
        return 2;
}

var serverOptions = app.Configuration.GetSection(ServerOptions.Section).Get<ServerOptions>() ?? new ServerOptions();
await initializer.InitializeAsync(serverOptions.ApplyMigrationsAtStartup, app.Lifetime.ApplicationStopping);
await app.Services.GetRequiredService<DemoOrganizationSeeder>().SeedAsync(app.Lifetime.ApplicationStopping);

app.UseAuthServer();
// Start-up leaves garbage the steady state never needs (on a first start the migrations' model, always the key
// loading and the first queries' compilation). Once the server listens, one aggressive collection returns it
// to the operating system (3-4 MB of idle memory here), off the readiness path.
app.Lifetime.ApplicationStarted.Register(static () => ThreadPool.UnsafeQueueUserWorkItem(
    static _ => GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true), state: (object?)null, preferLocal: false));
await app.RunAsync();
return 0;

/// <summary>Visible to the functional tests' WebApplicationFactory.</summary>
public partial class Program;
