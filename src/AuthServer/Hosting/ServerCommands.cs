using AuthServer.Features.Admin;
using AuthServer.Features.AdminConsole;

namespace AuthServer.Hosting;

/// <summary>What the command line asked for: a command, its own arguments, and the arguments meant for the host.</summary>
public sealed record ServerCommand(string Name, IReadOnlyList<string> Arguments, string[] HostArgs)
{
    /// <summary>Set when parsing already decided the outcome (help printed, or a usage error).</summary>
    public int? ExitCode { get; init; }

    public bool IsServe => Name == ServerCommands.Serve;
}

/// <summary>
/// The server binary's command line. The first argument names a command unless it is an option; the
/// standard host arguments (<c>--urls</c>, <c>--environment</c>, any <c>--Section:Key value</c>) pass through to
/// ASP.NET Core's configuration whatever the command, so <c>dotnet AuthServer.dll --urls http://0.0.0.0:9000</c> serves.
/// </summary>
public static class ServerCommands
{
    public const string Serve = "serve";
    public const string Migrate = "migrate";
    public const string HealthCheck = "healthcheck";

    public const string Usage = """
        Usage: AuthServer [command] [command options] [host options]

        Commands:
          serve (default)   Run the server. Listens at once; /health/ready turns 200 once the database is reached.
          migrate           Wait for the database (Server:DatabaseStartupTimeoutSeconds), apply the pending
                            migrations, print their names, exit.
          apikey create --name <name> [--organization <organization id>] [--json]
                            Create an admin API key and print it once (--json: one JSON object for scripts).
          admin add --email <address> [--organization <organization id>]...
                            Make a person an administrator of the console at /admin: global, or of the listed
                            organizations. They sign in there with an emailed code or a passkey.
          keys rotate       Create the next token signing and encryption keys; they are published before they
                            sign (Tokens:KeyPublicationLeadTime) and running instances switch to them.
          healthcheck [--url <base URL>]
                            Ask the server on this machine for /health/ready (the listening address comes from
                            --urls / ASPNETCORE_URLS / ASPNETCORE_HTTP_PORTS); exit 0 when ready, 1 otherwise.
                            For container HEALTHCHECKs: the runtime images have no curl or wget.

        Host options (any command): --urls <urls>, --environment <name>, --contentRoot <path>, --http_ports <ports>,
        and any setting as --Section:Key <value> (for example --Server:PublicBaseUrl https://auth.example.com).
        Settings also come from appsettings.json and environment variables (Section__Key).

        Exit codes: 0 done, 1 failed, 2 bad command line, 3 database unreachable within the start-up wait.
        """;

    /// <summary>The hosting keys ASP.NET Core reads from the command line besides configuration paths (Section:Key).</summary>
    private static readonly HashSet<string> HostKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        "urls", "environment", "contentRoot", "applicationName", "webroot", "http_ports", "https_ports",
        "hostingStartupAssemblies", "hostingStartupExcludeAssemblies", "preventHostingStartup", "shutdownTimeoutSeconds",
    };

    /// <summary>Each command's own options; a value follows each one except the flags.</summary>
    private static readonly Dictionary<string, (string[] WithValue, string[] Flags)> CommandOptions = new()
    {
        [Serve] = ([], []),
        [Migrate] = ([], []),
        [ApiKeyCommand.Name] = (["--name", "--organization"], ["--json"]),
        [AdminCommand.Name] = (["--email", "--organization"], []),
        [KeyRotationCommand.Name] = ([], []),
        [HealthCheck] = (["--url"], []),
    };

    public static ServerCommand Parse(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        if (args.Any(a => a is "--help" or "-h" or "-?") || args.FirstOrDefault() == "help")
        {
            output.WriteLine(Usage);
            return new ServerCommand("help", [], []) { ExitCode = 0 };
        }

        var named = args.Count > 0 && !args[0].StartsWith('-');
        var name = named ? args[0] : Serve;
        if (!CommandOptions.TryGetValue(name, out var known))
        {
            error.WriteLine($"Unknown command '{name}'. Commands: serve (default), migrate, apikey, admin, keys, healthcheck. See --help.");
            return new ServerCommand(name, [], []) { ExitCode = 2 };
        }

        var arguments = new List<string>();
        var hostArgs = new List<string>();
        for (var i = named ? 1 : 0; i < args.Count; i++)
        {
            var argument = args[i];
            var key = argument.TrimStart('-', '/').Split('=', 2)[0];
            if (argument.StartsWith("--", StringComparison.Ordinal) && (HostKeys.Contains(key) || key.Contains(':', StringComparison.Ordinal)))
            {
                hostArgs.Add(argument);
                if (!argument.Contains('=', StringComparison.Ordinal) && i + 1 < args.Count)
                {
                    hostArgs.Add(args[++i]);
                }
            }
            else if (known.WithValue.Contains(argument) && i + 1 < args.Count)
            {
                arguments.Add(argument);
                arguments.Add(args[++i]);
            }
            else if (known.Flags.Contains(argument) || (name is ApiKeyCommand.Name or AdminCommand.Name or KeyRotationCommand.Name && !argument.StartsWith('-')))
            {
                // Sub-commands ("apikey create", "keys rotate") and flags.
                arguments.Add(argument);
            }
            else
            {
                error.WriteLine($"Unexpected argument '{argument}' for '{name}'. See --help.");
                return new ServerCommand(name, [], []) { ExitCode = 2 };
            }
        }

        return new ServerCommand(name, arguments, [.. hostArgs]);
    }

    /// <summary>Runs a command other than serve on the built application; returns the exit code.</summary>
    public static async Task<int> RunAsync(WebApplication app, ServerCommand command, CancellationToken cancellationToken)
    {
        try
        {
            switch (command.Name)
            {
                case Migrate:
                    var initializer = app.Services.GetRequiredService<DatabaseInitializer>();
                    await initializer.WaitForDatabaseAsync(cancellationToken);
                    var applied = await initializer.MigrateAsync(cancellationToken);
                    Console.WriteLine(applied.Count == 0
                        ? "No pending migrations: the database schema is up to date."
                        : $"Applied {applied.Count} migration(s):{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", applied));
                    return 0;
                case ApiKeyCommand.Name:
                    return await ApiKeyCommand.RunAsync(app, command.Arguments, cancellationToken);
                case AdminCommand.Name:
                    return await AdminCommand.RunAsync(app, command.Arguments, cancellationToken);
                case KeyRotationCommand.Name:
                    return await KeyRotationCommand.RunAsync(app, command.Arguments, cancellationToken);
                default:
                    throw new InvalidOperationException($"'{command.Name}' is not a command to run this way.");
            }
        }
        catch (DatabaseUnreachableException exception)
        {
            await Console.Error.WriteLineAsync(exception.Message);
            return ServerStartup.DatabaseUnreachableExitCode;
        }
    }
}
