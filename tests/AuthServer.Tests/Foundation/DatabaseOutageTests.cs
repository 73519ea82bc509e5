using System.Diagnostics;
using System.Net;
using AuthServer.Tests.Infrastructure;

namespace AuthServer.Tests.Foundation;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DatabaseOutageCollection
{
    public const string Name = "Database outage (runs alone: it stops the shared PostgreSQL)";
}

/// <summary>
/// Stops the run's real PostgreSQL under a running server, then starts it again: requests get 503
/// serviceUnavailable with Retry-After (never a 500 or a hang), readiness turns unhealthy, and the same
/// server serves again once the database is back, without a restart.
/// </summary>
[Collection(DatabaseOutageCollection.Name)]
public sealed class DatabaseOutageTests(LoginServerFixture fixture) : IClassFixture<LoginServerFixture>
{
    [Fact]
    public async Task Database_down_answers_serviceUnavailable_and_recovers_without_a_restart()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        var tokens = await driver.SignInAndVerifyAsync(organization, "outage@example.com");
        Assert.Equal(HttpStatusCode.OK, (await driver.UserInfoAsync(organization, tokens.AccessToken)).StatusCode);

        await PostgresAsync("stop");
        try
        {
            var stopwatch = Stopwatch.StartNew();
            var body = await (await driver.UserInfoAsync(organization, tokens.AccessToken)).AssertErrorAsync(HttpStatusCode.ServiceUnavailable, "serviceUnavailable");
            Assert.True(body.GetProperty("retryAfter").GetInt32() > 0);
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(20), $"The outage answer took {stopwatch.Elapsed}.");

            var response = await driver.UserInfoAsync(organization, tokens.AccessToken);
            Assert.NotNull(response.Headers.RetryAfter);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await driver.Client.GetAsync("/health/ready")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await driver.Client.GetAsync("/health/live")).StatusCode);

            // The login page needs the database too: a page error, still no 500.
            var page = await driver.Client.GetAsync(LoginDriver.LoginUrl(new TestOrganization(Guid.NewGuid(), "x")));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, page.StatusCode);

            // A light, bounded load of the calls apps make: every answer is 503, none is a 500 or a hang.
            var load = Enumerable.Range(0, 20).Select(async i => i % 2 == 0
                ? (await driver.UserInfoAsync(organization, tokens.AccessToken)).StatusCode
                : (await driver.VerifyAsync(organization, "code-" + i)).StatusCode);
            Assert.All(await Task.WhenAll(load), status => Assert.Equal(HttpStatusCode.ServiceUnavailable, status));
        }
        finally
        {
            await PostgresAsync("start");
        }

        await WaitUntilAsync(async () => (await driver.Client.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, (await driver.UserInfoAsync(organization, tokens.AccessToken)).StatusCode);

        // Full service after: a whole new sign-in works, and nothing was half-written during the outage.
        var after = await driver.SignInAndVerifyAsync(organization, "after-outage@example.com");
        Assert.Equal(HttpStatusCode.OK, (await driver.UserInfoAsync(organization, after.AccessToken)).StatusCode);
        var orphans = await fixture.Factory.WithDbAsync(async db =>
            await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.CountAsync(db.Sessions, s => s.OrganizationId == organization.Id && s.VerifiedAt == null));
        Assert.Equal(0, orphans);
    }

    private static async Task PostgresAsync(string action)
    {
        var script = TestEnvironment.PostgresScript ?? throw new InvalidOperationException("AUTH_TEST_PG_SCRIPT is not set: run ./test.sh.");
        var arguments = action == "start"
            ? $"{script} start {TestEnvironment.PostgresDataDirectory} {TestEnvironment.PostgresPort}"
            : $"{script} stop {TestEnvironment.PostgresDataDirectory}";
        using var process = Process.Start(new ProcessStartInfo("bash", arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"pg.sh {action} failed: {await process.StandardError.ReadToEndAsync()}");
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The server did not recover within 30 s.");
            await Task.Delay(250);
        }
    }
}
