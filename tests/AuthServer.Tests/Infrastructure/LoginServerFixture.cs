using AuthServer.Data.Entities;
using AuthServer.Features.Organizations;
using Microsoft.Extensions.DependencyInjection;

namespace AuthServer.Tests.Infrastructure;

/// <summary>A server whose emails land in a private outbox folder, with helpers to create organizations.</summary>
public class LoginServerFixture : ServerFixture
{
    public const string AppOrigin = "https://app.example.com";
    public const string Callback = AppOrigin + "/api/auth/callback";

    public string OutboxPath { get; } = Path.Combine(Path.GetTempPath(), "authserver-outbox-" + Guid.NewGuid().ToString("N"));

    public Outbox Outbox => new(OutboxPath, Database.ConnectionString);

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Email:OutboxPath"] = OutboxPath,
        // Tests send several emails to one address in a row; the resend interval has its own test.
        ["Login:ResendInterval"] = "00:00:00",
        ["Login:MaxEmailsPerAddress"] = "1000",
        ["Login:MaxEmailsPerIp"] = "1000",
        ["Login:MaxCodeChecksPerIp"] = "1000",
    };

    public async Task<TestOrganization> CreateOrganizationAsync(Action<Organization>? configure = null)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<OrganizationService>()
            .CreateAsync("Test organization " + Guid.NewGuid().ToString("N")[..6], [AppOrigin], configure, CancellationToken.None);
        return new TestOrganization(created.Organization.Id, created.Secret);
    }

    public LoginDriver Driver() => new(CreateClient(), Outbox);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (Directory.Exists(OutboxPath))
        {
            Directory.Delete(OutboxPath, recursive: true);
        }
    }
}

public sealed record TestOrganization(Guid Id, string Secret)
{
    public string ClientId => Id.ToString();

    public System.Net.Http.Headers.AuthenticationHeaderValue Basic =>
        new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{Id}:{Secret}")));
}
