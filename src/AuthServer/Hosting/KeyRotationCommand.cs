using Microsoft.Extensions.Options;

namespace AuthServer.Hosting;

/// <summary>
/// <c>AuthServer keys rotate</c>: creates the next signing and token encryption keys, like the admin API's
/// POST /api/v1/admin/keys/rotate. Running instances publish them within Tokens:KeyRingRefreshInterval and
/// switch to them at the printed time.
/// </summary>
public static class KeyRotationCommand
{
    public const string Name = "keys";

    public const string Usage = "Usage: AuthServer keys rotate";

    public static async Task<int> RunAsync(WebApplication app, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        if (arguments is not ["rotate"])
        {
            await Console.Error.WriteLineAsync(Usage);
            return 2;
        }

        var server = app.Services.GetRequiredService<IOptions<ServerOptions>>().Value;
        var initializer = app.Services.GetRequiredService<DatabaseInitializer>();
        await initializer.WaitForDatabaseAsync(cancellationToken);
        await initializer.InitializeAsync(server.ApplyMigrationsAtStartup, cancellationToken);
        await using var scope = app.Services.CreateAsyncScope();
        var rotation = await scope.ServiceProvider.GetRequiredService<KeyRotationService>().RotateAsync(cancellationToken);
        await Console.Out.WriteLineAsync(rotation.SigningKeyId is null
            ? $"Next token encryption key created; signing uses the configured certificate. Takes over at {rotation.ActivatesAt:O}."
            : $"Next signing key {rotation.SigningKeyId} published; it signs from {rotation.ActivatesAt:O}.");
        return 0;
    }
}
