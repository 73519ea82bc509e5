using AuthServer.Hosting;

// Commands (serve by default, migrate, apikey, healthcheck) and the host arguments that pass through: see
// Hosting/ServerCommands.cs, or run with --help.
var command = ServerCommands.Parse(args, Console.Out, Console.Error);
if (command.ExitCode is { } parsed)
{
    return parsed;
}

var builder = WebApplication.CreateBuilder(command.HostArgs);
if (command.Name == ServerCommands.HealthCheck)
{
    // Needs only the listening address from the configuration: no database, no services.
    return await HealthCheckCommand.RunAsync(builder.Configuration, command.Arguments, Console.Out, CancellationToken.None);
}

builder.AddAuthServer();
if (!command.IsServe)
{
    // A command's output is for the person at the terminal (or a script: stdout carries only the result);
    // only problems are logged, to stderr.
    builder.Logging.AddFilter(level => level >= LogLevel.Warning);
    builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
}

var app = builder.Build();
if (!command.IsServe)
{
    int exitCode;
    try
    {
        exitCode = await ServerCommands.RunAsync(app, command, app.Lifetime.ApplicationStopping);
    }
    catch (DatabaseNotConfiguredException missing)
    {
        await Console.Error.WriteLineAsync(missing.Message);
        exitCode = 1;
    }

    await app.DisposeAsync(); // flushes the log
    return exitCode;
}

// Before listening when the database answers; otherwise the server listens and completes start-up in the background.
var startup = app.Services.GetRequiredService<ServerStartup>();
try
{
    if (!await startup.PrepareAsync(app.Lifetime.ApplicationStopping))
    {
        await app.DisposeAsync(); // flushes the log
        return startup.ExitCode;
    }
}
catch (DatabaseNotConfiguredException missing)
{
    await Console.Error.WriteLineAsync(missing.Message);
    await app.DisposeAsync(); // flushes the log
    return 1;
}

app.UseAuthServer();
// Start-up leaves garbage the steady state never needs (on a first start the migrations' model, always the key
// loading and the first queries' compilation). Once the server listens, one aggressive collection returns it
// to the operating system (3-4 MB of idle memory here), off the readiness path.
app.Lifetime.ApplicationStarted.Register(static () => ThreadPool.UnsafeQueueUserWorkItem(
    static _ => GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true), state: (object?)null, preferLocal: false));
await app.RunAsync();
return startup.ExitCode;

/// <summary>Visible to the functional tests' WebApplicationFactory.</summary>
public partial class Program;
