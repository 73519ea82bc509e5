using AuthServer.Features.Login.Email;
using AuthServer.Tests.Email;
using AuthServer.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AuthServer.Tests.MultiInstance;

/// <summary>Two server processes draining one email queue into a real SMTP server: each email leaves exactly once.</summary>
public sealed class SharedEmailQueueTests
{
    private const int Emails = 40;

    [Fact]
    public async Task Two_instances_share_the_queue_and_send_each_email_once()
    {
        await using var database = await TestDatabase.CreateAsync();
        // Migrates the database and queues the emails; sends none itself.
        await using var admin = new AuthServerFactory(database.ConnectionString, new Dictionary<string, string?> { ["Email:Senders"] = "0" });
        _ = admin.Server;
        var organization = await EmailOutboxTests.CreateOrganizationAsync(admin);
        var outboxFolder = Path.Combine(Path.GetTempPath(), "authserver-shared-queue-" + Guid.NewGuid().ToString("N"));
        var settings = new Dictionary<string, string>
        {
            ["Email__Smtp__Host"] = TestEnvironment.SmtpHost,
            ["Email__Smtp__Port"] = TestEnvironment.SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Email__Smtp__Security"] = "none",
            // Several senders per instance and a short poll: both instances reach for the same rows at once.
            ["Email__Senders"] = "4",
            ["Email__PollInterval"] = "00:00:00.250",
        };
        var portA = ServerProcess.FreePort();
        var started = await Task.WhenAll(
            ServerProcess.StartAsync(database.ConnectionString, $"http://localhost:{portA}", outboxFolder, settings, portA),
            ServerProcess.StartAsync(database.ConnectionString, $"http://localhost:{portA}", outboxFolder, settings));
        await using var a = started[0];
        await using var b = started[1];

        var batch = Guid.NewGuid().ToString("N")[..12];
        var recipients = Enumerable.Range(0, Emails).Select(i => $"shared-{batch}-{i}@example.com").ToList();
        await using (var scope = admin.Services.CreateAsyncScope())
        {
            // One commit, so every row is due at the same moment for both instances.
            var outbox = scope.ServiceProvider.GetRequiredService<EmailOutbox>();
            var composer = scope.ServiceProvider.GetRequiredService<LoginEmailComposer>();
            var page = scope.ServiceProvider.GetRequiredService<AuthServer.Pages.PageContextFactory>().For(null, null);
            foreach (var recipient in recipients)
            {
                outbox.Add(organization.Id, EmailOutbox.Kinds.SignInCode,
                    await composer.ComposeAsync(page, recipient, "12345", null, TimeSpan.FromMinutes(10), "http://localhost"), DateTimeOffset.UtcNow.AddMinutes(10));
            }

            await scope.ServiceProvider.GetRequiredService<AuthServer.Data.AuthDbContext>().SaveChangesAsync();
        }

        // What is checked is "each email once", not speed: the bound only stops a stuck queue (maildev on a loaded
        // CI machine takes most of a minute for the batch).
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(180);
        while (await admin.WithDbAsync(db => db.OutboxEmails.CountAsync(e => e.Status == EmailOutbox.Statuses.Pending)) > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "The two instances did not drain the queue within 180 s.");
            await Task.Delay(200);
        }

        var rows = await admin.WithDbAsync(db => db.OutboxEmails.AsNoTracking().Where(e => e.OrganizationId == organization.Id).ToListAsync());
        Assert.Equal(Emails, rows.Count);
        Assert.All(rows, r =>
        {
            Assert.Equal(EmailOutbox.Statuses.Sent, r.Status);
            Assert.Equal(1, r.Attempts);
            Assert.Null(r.ProtectedContent);
        });

        // What the mail server received: every recipient exactly once.
        var received = await ReceivedAsync(batch);
        for (var wait = 0; wait < 150 && received.Count < Emails; wait++)
        {
            await Task.Delay(200);
            received = await ReceivedAsync(batch);
        }

        Assert.Equal(recipients.Order(), received.Order());
        Assert.False(a.HasExited || b.HasExited);
    }

    private static async Task<List<string>> ReceivedAsync(string batch) =>
        (await Maildev.ListAsync()).EnumerateArray().SelectMany(Maildev.Recipients).Where(r => r.Contains(batch, StringComparison.Ordinal)).ToList();
}
