using AuthServer.Features.Admin;
using AuthServer.Hosting;
using Microsoft.Extensions.Options;

namespace AuthServer.Features.AdminConsole;

/// <summary>
/// <c>AuthServer admin add --email ada@example.com [--organization &lt;id&gt;]...</c>: makes a person an
/// administrator of the console (global, or of the listed organizations), so a fresh install gets its first
/// administrator without touching the database. They then sign in at /admin with an emailed code.
/// </summary>
public static class AdminCommand
{
    public const string Name = "admin";

    public const string Usage = "Usage: AuthServer admin add --email <address> [--organization <organization id>]...";

    /// <summary>The command line acting through the admin services: global, audited as "cli".</summary>
    public static AdminCaller CommandLineCaller() => new(AdminCaller.CommandLineActorType, Environment.UserName, null, null);

    public static async Task<int> RunAsync(WebApplication app, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        if (Parse(arguments, out _, out _) is { } usageError)
        {
            await Console.Error.WriteLineAsync(usageError + Environment.NewLine + Usage);
            return 2;
        }

        var server = app.Services.GetRequiredService<IOptions<ServerOptions>>().Value;
        await app.Services.GetRequiredService<DatabaseInitializer>().InitializeAsync(server.ApplyMigrationsAtStartup, cancellationToken);
        await app.Services.GetRequiredService<SystemOrganization>().EnsureAsync(cancellationToken);
        return await RunAsync(app.Services, arguments, Console.Out, Console.Error, cancellationToken);
    }

    /// <summary>Runs what follows "admin" on a prepared database; returns the exit code.</summary>
    public static async Task<int> RunAsync(IServiceProvider services, IReadOnlyList<string> arguments, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (Parse(arguments, out var email, out var organizations) is { } usageError)
        {
            await error.WriteLineAsync(usageError + Environment.NewLine + Usage);
            return 2;
        }

        await using var scope = services.CreateAsyncScope();
        var added = await scope.ServiceProvider.GetRequiredService<AdministratorService>()
            .AddAsync(CommandLineCaller(), email, isGlobal: organizations.Count == 0, organizations, cancellationToken);
        if (added.Failed)
        {
            var details = string.Join("; ", (added.Error!.Details ?? []).Select(d => $"{d.Location}: {d.Message}"));
            await error.WriteLineAsync($"{added.Error.Code}: {added.Error.Message} {details}".TrimEnd());
            return 1;
        }

        var view = added.Value!;
        var scopeText = view.IsGlobal ? "a global administrator" : "an administrator of " + string.Join(", ", view.OrganizationIds);
        await output.WriteLineAsync($"{view.Email} is {scopeText} (user {view.UserId}). Sign in at /admin with an emailed code or a passkey.");
        return 0;
    }

    private static string? Parse(IReadOnlyList<string> arguments, out string? email, out List<Guid> organizations)
    {
        email = null;
        organizations = [];
        if (arguments.Count == 0 || arguments[0] != "add")
        {
            return "Unknown or missing admin command.";
        }

        for (var i = 1; i < arguments.Count; i++)
        {
            var value = i + 1 < arguments.Count ? arguments[i + 1] : null;
            switch (arguments[i])
            {
                case "--email" when value is not null:
                    email = value;
                    i++;
                    break;
                case "--organization" when value is not null:
                    if (!Guid.TryParse(value, out var id))
                    {
                        return $"'{value}' is not an organization id.";
                    }

                    organizations.Add(id);
                    i++;
                    break;
                default:
                    return $"Unexpected argument '{arguments[i]}'.";
            }
        }

        return string.IsNullOrWhiteSpace(email) ? "--email is required." : null;
    }
}
