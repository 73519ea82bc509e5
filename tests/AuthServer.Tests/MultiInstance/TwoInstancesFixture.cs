using AuthServer.Features.Organizations;
using AuthServer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AuthServer.Tests.MultiInstance;

/// <summary>
/// Two server processes on two ports over one PostgreSQL database, as behind a load balancer: same public
/// URL (issuer), same outbox folder (standing in for the mail server), shared keys through the database.
/// </summary>
public sealed class TwoInstancesFixture : IAsyncLifetime
{
    private TestDatabase? database;
    private AuthServerFactory? admin;

    public ServerProcess A { get; private set; } = null!;
    public ServerProcess B { get; private set; } = null!;
    public string OutboxPath { get; } = Path.Combine(Path.GetTempPath(), "authserver-multi-" + Guid.NewGuid().ToString("N"));
    public Outbox Outbox => new(OutboxPath, database!.ConnectionString);
    public string ConnectionString => database!.ConnectionString;

    /// <summary>Limits low enough to hit in a test, counted across both instances.</summary>
    public static readonly Dictionary<string, string> Settings = new()
    {
        ["Login__ResendInterval"] = "00:00:00",
        ["Login__MaxEmailsPerAddress"] = "3",
        ["Server__ShutdownDrainSeconds"] = "2",
        // Webhook tests deliver to a receiver on loopback.
        ["Webhooks__AllowPrivateNetworks"] = "true",
        ["Webhooks__PollInterval"] = "00:00:00.200",
    };

    public async Task InitializeAsync()
    {
        database = await TestDatabase.CreateAsync();
        // An in-process instance migrates the database and gives the tests the server's own services.
        // It sends no email itself: the two processes share the queue (and write to OutboxPath).
        admin = new AuthServerFactory(database.ConnectionString, new Dictionary<string, string?> { ["Email:Senders"] = "0", ["Webhooks:Senders"] = "0", ["Webhooks:AllowPrivateNetworks"] = "true" });
        _ = admin.Server;
        var portA = ServerProcess.FreePort();
        var publicUrl = $"http://localhost:{portA}";
        A = await ServerProcess.StartAsync(database.ConnectionString, publicUrl, OutboxPath, Settings, portA);
        B = await ServerProcess.StartAsync(database.ConnectionString, publicUrl, OutboxPath, Settings);
    }

    public async Task<TestOrganization> CreateOrganizationAsync(Action<AuthServer.Data.Entities.Organization>? configure = null)
    {
        await using var scope = admin!.Services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<OrganizationService>()
            .CreateAsync("Multi " + Guid.NewGuid().ToString("N")[..6], [LoginServerFixture.AppOrigin], configure, CancellationToken.None);
        return new TestOrganization(created.Organization.Id, created.Secret);
    }

    /// <summary>The in-process instance's services (it queues, never sends).</summary>
    public IServiceProvider Services => admin!.Services;

    public Task<T> WithDbAsync<T>(Func<AuthServer.Data.AuthDbContext, Task<T>> action) => admin!.WithDbAsync(action);

    public async Task DisposeAsync()
    {
        await A.DisposeAsync();
        await B.DisposeAsync();
        await admin!.DisposeAsync();
        await database!.DisposeAsync();
        if (Directory.Exists(OutboxPath))
        {
            Directory.Delete(OutboxPath, recursive: true);
        }
    }
}
