using AuthServer.Features.Audit;
using AuthServer.Hosting;
using Microsoft.Extensions.Options;

namespace AuthServer.Features.Admin;

/// <summary>
/// <c>AuthServer apikey create --name ops [--organization &lt;id&gt;]</c>: creates an API key from the command
/// line and prints it once, so a fresh install can be administered without touching the database.
/// </summary>
public static class ApiKeyCommand
{
    public const string Name = "apikey";

    public const string Usage = "Usage: AuthServer apikey create --name <name> [--organization <organization id>] [--json]";

    /// <summary>From the command line (what follows "apikey"): prepares the database like a start does, then runs the command.</summary>
    public static async Task<int> RunAsync(WebApplication app, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        if (Parse(arguments, out _, out _, out _) is { } usageError)
        {
            await Console.Error.WriteLineAsync(usageError + Environment.NewLine + Usage);
            return 2;
        }

        var server = app.Services.GetRequiredService<IOptions<ServerOptions>>().Value;
        await app.Services.GetRequiredService<DatabaseInitializer>().InitializeAsync(server.ApplyMigrationsAtStartup, cancellationToken);
        return await RunAsync(app.Services, arguments, Console.Out, Console.Error, cancellationToken);
    }

    /// <summary>Runs the command's arguments (what follows "apikey"); returns the exit code.</summary>
    public static async Task<int> RunAsync(IServiceProvider services, IReadOnlyList<string> arguments, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (Parse(arguments, out var name, out var organizationId, out var json) is { } usageError)
        {
            await error.WriteLineAsync(usageError + Environment.NewLine + Usage);
            return 2;
        }

        await using var scope = services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<ApiKeyService>()
            .CreateAsync(name, organizationId, AuditActor.CommandLine(), cancellationToken);
        if (created.Failed)
        {
            var details = string.Join("; ", (created.Error!.Details ?? []).Select(d => $"{d.Location}: {d.Message}"));
            await error.WriteLineAsync($"{created.Error.Code}: {created.Error.Message} {details}".TrimEnd());
            return 1;
        }

        var key = created.Value!;
        if (json)
        {
            // One object on one line, for scripts: no parsing of the sentences below.
            await output.WriteLineAsync(System.Text.Json.JsonSerializer.Serialize(
                new { id = key.Id, name = key.Name, organizationId = key.OrganizationId, key = key.Key },
                new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web)));
            return 0;
        }

        await output.WriteLineAsync($"API key '{key.Name}' created ({(key.OrganizationId is { } id ? "organization " + id : "global")}), id {key.Id}.");
        await output.WriteLineAsync("The key is shown only now; store it safely:");
        await output.WriteLineAsync(key.Key);
        return 0;
    }

    private static string? Parse(IReadOnlyList<string> arguments, out string? name, out Guid? organizationId, out bool json)
    {
        name = null;
        organizationId = null;
        json = false;
        if (arguments.Count == 0 || arguments[0] != "create")
        {
            return "Unknown or missing apikey command.";
        }

        for (var i = 1; i < arguments.Count; i++)
        {
            var value = i + 1 < arguments.Count ? arguments[i + 1] : null;
            switch (arguments[i])
            {
                case "--name" when value is not null:
                    name = value;
                    i++;
                    break;
                case "--organization" when value is not null:
                    if (!Guid.TryParse(value, out var id))
                    {
                        return $"'{value}' is not an organization id.";
                    }

                    organizationId = id;
                    i++;
                    break;
                case "--json":
                    json = true;
                    break;
                default:
                    return $"Unexpected argument '{arguments[i]}'.";
            }
        }

        return string.IsNullOrWhiteSpace(name) ? "--name is required." : null;
    }
}
