using AuthServer.Features.Audit;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using AuthServer.Data.Entities;
using AuthServer.Features.Admin;
using AuthServer.Features.Login.Email;
using AuthServer.Features.Organizations;
using AuthServer.Tests.Admin;
using AuthServer.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AuthServer.Tests.Email;

/// <summary>
/// Sign-in emails leave through the database queue: the page answers as soon as the email is queued, whatever
/// the mail server does; the sender retries with backoff until the mail server is back.
/// </summary>
public sealed class EmailOutboxTests
{
    [Fact]
    public async Task Sign_in_answers_at_once_while_smtp_hangs_or_is_down_and_the_email_goes_out_when_it_is_back()
    {
        var smtpPort = ServerProcess.FreePort();
        var hung = new HungSmtpServer(smtpPort);
        await using var database = await TestDatabase.CreateAsync();
        await using var factory = new AuthServerFactory(database.ConnectionString, new Dictionary<string, string?>
        {
            ["Email:Smtp:Host"] = "127.0.0.1",
            ["Email:Smtp:Port"] = smtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Email:Smtp:Security"] = "none",
            ["Email:Smtp:ConnectTimeout"] = "00:00:05",
            ["Email:RetryDelay"] = "00:00:00.500",
            ["Email:MaxRetryDelay"] = "00:00:01",
            // Retries every second for as long as the mail server takes to come back (maildev starts slowly on a busy machine).
            ["Email:MaxAttempts"] = "1000",
        });
        var organization = await CreateOrganizationAsync(factory);
        using var client = factory.CreateClient(new() { AllowAutoRedirect = false });
        var driver = new LoginDriver(client, new Outbox("/nonexistent"));
        var email = $"queued-{Guid.NewGuid():N}@example.com";

        // The mail server accepts connections and never answers: the page still answers at once.
        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization));
        var clock = Stopwatch.StartNew();
        var codePage = await driver.SubmitEmailAsync(page, email);
        clock.Stop();
        Assert.Equal(HttpStatusCode.OK, codePage.Response.StatusCode);
        Assert.Contains("name=\"code\"", codePage.Html);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"The page took {clock.Elapsed} with a hung mail server.");

        var timedOut = await WaitForRowAsync(factory, organization, r => r.Attempts >= 1 && r.LastError is not null);
        Assert.Equal(EmailOutbox.Statuses.Pending, timedOut.Status);
        Assert.Contains("did not accept a connection within 5 s", timedOut.LastError);
        Assert.True(hung.Connections >= 1);
        var storedWhilePending = timedOut.ProtectedContent!;

        // Down: nothing listens any more; the sender keeps retrying.
        hung.Dispose();
        var refused = await WaitForRowAsync(factory, organization, r => r.Attempts > timedOut.Attempts && r.LastError is not null && !r.LastError.Contains("did not accept", StringComparison.Ordinal));
        Assert.Equal(EmailOutbox.Statuses.Pending, refused.Status);

        // Back: the email goes out with the next retry, and its code signs the user in.
        await using var maildev = await MaildevProcess.StartAsync(smtpPort);
        var code = await Maildev.WaitForCodeAsync(email, TimeSpan.FromSeconds(30), maildev.WebUrl);
        var done = await driver.SubmitCodeAsync(codePage, code);
        Assert.Equal(HttpStatusCode.Redirect, done.Response.StatusCode);
        Assert.StartsWith(LoginServerFixture.Callback + "?code=", done.Response.Headers.Location!.ToString());

        var sent = await WaitForRowAsync(factory, organization, r => r.Status == EmailOutbox.Statuses.Sent);
        Assert.True(sent.Attempts >= 3, $"Expected the hung, the refused and the successful attempts, got {sent.Attempts}.");
        Assert.NotNull(sent.SentAt);
        Assert.Null(sent.LastError);
        // The content is erased once sent, and was never readable while queued.
        Assert.Null(sent.ProtectedContent);
        Assert.Single((await Maildev.ListAsync(maildev.WebUrl)).EnumerateArray(), e => Maildev.Recipients(e).Contains(email));
        AssertUnreadable(storedWhilePending, code, email);
    }

    [Fact]
    public async Task An_email_is_given_up_after_the_last_attempt_and_the_mail_log_says_why()
    {
        var smtpPort = ServerProcess.FreePort();
        await using var database = await TestDatabase.CreateAsync();
        await using var factory = new AuthServerFactory(database.ConnectionString, new Dictionary<string, string?>
        {
            ["Email:Smtp:Host"] = "127.0.0.1",
            ["Email:Smtp:Port"] = smtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Email:Smtp:Security"] = "none",
            ["Email:MaxAttempts"] = "3",
            ["Email:RetryDelay"] = "00:00:00.200",
            ["Email:MaxRetryDelay"] = "00:00:00.400",
        });
        var organization = await CreateOrganizationAsync(factory);
        using var client = factory.CreateClient(new() { AllowAutoRedirect = false });
        var driver = new LoginDriver(client, new Outbox("/nonexistent"));
        var email = $"given-up-{Guid.NewGuid():N}@example.com";

        var codePage = await driver.SubmitEmailAsync(await driver.OpenAsync(LoginDriver.LoginUrl(organization)), email);
        Assert.Equal(HttpStatusCode.OK, codePage.Response.StatusCode);

        var failed = await WaitForRowAsync(factory, organization, r => r.Status != EmailOutbox.Statuses.Pending);
        Assert.Equal(EmailOutbox.Statuses.Failed, failed.Status);
        Assert.Equal(3, failed.Attempts);
        Assert.Null(failed.ProtectedContent);

        string key;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            key = (await scope.ServiceProvider.GetRequiredService<ApiKeyService>().CreateAsync("mail", organization.Id, AuditActor.CommandLine(), CancellationToken.None)).Value!.Key;
        }

        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var response = await client.GetAsync("/api/v1/admin/mail_log");
        var log = await response.ReadJsonAsync();
        var entry = Assert.Single(log.GetProperty("data").EnumerateArray());
        Assert.Equal(email, entry.Str("recipient"));
        Assert.Equal(organization.Id, entry.GetGuid("organizationId"));
        Assert.Equal(EmailOutbox.Kinds.SignInCode, entry.Str("kind"));
        Assert.Equal("failed", entry.Str("status"));
        Assert.Equal(3, entry.GetProperty("attempts").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(entry.Str("lastError")));
        Assert.False(entry.TryGetProperty("subject", out _));
        Assert.False(entry.TryGetProperty("textBody", out _));
    }

    private static void AssertUnreadable(byte[] stored, string code, string email)
    {
        var asText = Encoding.UTF8.GetString(stored);
        var asLatin = Encoding.Latin1.GetString(stored);
        Assert.DoesNotContain(code, asText, StringComparison.Ordinal);
        Assert.DoesNotContain(code, asLatin, StringComparison.Ordinal);
        Assert.DoesNotContain("sign-in code", asLatin, StringComparison.Ordinal);
        Assert.DoesNotContain(email, asLatin, StringComparison.Ordinal);
    }

    public static async Task<TestOrganization> CreateOrganizationAsync(AuthServerFactory factory)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<OrganizationService>()
            .CreateAsync("Mail " + Guid.NewGuid().ToString("N")[..6], [LoginServerFixture.AppOrigin], null, CancellationToken.None);
        return new TestOrganization(created.Organization.Id, created.Secret);
    }

    /// <summary>Polls the organization's one queued email until it matches.</summary>
    private static async Task<OutboxEmail> WaitForRowAsync(AuthServerFactory factory, TestOrganization organization, Func<OutboxEmail, bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var row = await factory.WithDbAsync(db => db.OutboxEmails.AsNoTracking().SingleOrDefaultAsync(e => e.OrganizationId == organization.Id));
            if (row is not null && condition(row))
            {
                return row;
            }

            Assert.True(DateTime.UtcNow < deadline, $"The queued email never reached the expected state; last seen: status {row?.Status}, attempts {row?.Attempts}, error {row?.LastError}");
            await Task.Delay(100);
        }
    }
}
