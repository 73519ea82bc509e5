using System.Globalization;
using System.Net;
using AuthServer.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace AuthServer.Tests.Login;

/// <summary>A server whose email login limits are the ones a test sets (the base fixture lifts them all).</summary>
public abstract class LimitedLoginServerFixture : LoginServerFixture
{
    protected abstract IDictionary<string, string?> Limits { get; }

    protected override IDictionary<string, string?> Settings
    {
        get
        {
            var settings = base.Settings;
            foreach (var (key, value) in Limits)
            {
                settings[key] = value;
            }

            return settings;
        }
    }
}

public sealed class ResendIntervalFixture : LimitedLoginServerFixture
{
    protected override IDictionary<string, string?> Limits => new Dictionary<string, string?> { ["Login:ResendInterval"] = "00:00:30" };
}

public sealed class EmailsPerAddressFixture : LimitedLoginServerFixture
{
    protected override IDictionary<string, string?> Limits => new Dictionary<string, string?> { ["Login:MaxEmailsPerAddress"] = "2" };
}

public sealed class EmailsPerIpFixture : LimitedLoginServerFixture
{
    protected override IDictionary<string, string?> Limits => new Dictionary<string, string?> { ["Login:MaxEmailsPerIp"] = "2" };
}

public sealed class CodeChecksPerIpFixture : LimitedLoginServerFixture
{
    protected override IDictionary<string, string?> Limits => new Dictionary<string, string?> { ["Login:MaxCodeChecksPerIp"] = "3" };
}

public sealed class CodeChecksPerAddressFixture : LimitedLoginServerFixture
{
    protected override IDictionary<string, string?> Limits => new Dictionary<string, string?> { ["Login:MaxCodeChecksPerAddress"] = "3" };
}

internal static class RateLimitAssertions
{
    /// <summary>A 429 page (not a redirect, not JSON) with a positive Retry-After of at most <paramref name="maxSeconds"/>.</summary>
    public static void AssertTooManyRequestsPage(LoginDriver.LoginPage page, int maxSeconds)
    {
        Assert.True(page.Response.StatusCode == HttpStatusCode.TooManyRequests, $"Expected 429, got {(int)page.Response.StatusCode}: {page.Html}");
        Assert.Null(page.Response.Headers.Location);
        Assert.Equal("text/html", page.Response.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(page.Error);
        var retryAfter = page.Response.Headers.RetryAfter?.Delta?.TotalSeconds
            ?? double.Parse(Assert.Single(page.Response.Headers.GetValues("Retry-After")), CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, maxSeconds);
    }
}

public sealed class ResendIntervalTests(ResendIntervalFixture fixture) : IClassFixture<ResendIntervalFixture>
{
    [Fact]
    public async Task Second_email_within_the_resend_interval_is_refused_with_429_and_Retry_After()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization));
        var first = await driver.SubmitEmailAsync(page, "resend@example.com");
        Assert.Equal(HttpStatusCode.OK, first.Response.StatusCode);
        Assert.Equal(1, LoginAssertions.EmailCount(fixture, "resend@example.com"));

        // The "send a new code" button posts the same email again.
        var second = await driver.SubmitEmailAsync(first, "Resend@Example.com");

        RateLimitAssertions.AssertTooManyRequestsPage(second, 30);
        Assert.Equal(1, LoginAssertions.EmailCount(fixture, "resend@example.com"));
    }

    [Fact]
    public async Task Resend_interval_is_per_address_and_per_organization()
    {
        var organization = await fixture.CreateOrganizationAsync();
        var other = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        var first = await driver.SubmitEmailAsync(await driver.OpenAsync(LoginDriver.LoginUrl(organization)), "per-address@example.com");
        Assert.Equal(HttpStatusCode.OK, first.Response.StatusCode);

        var otherAddress = await driver.SubmitEmailAsync(await driver.OpenAsync(LoginDriver.LoginUrl(organization)), "someone-else@example.com");
        var otherOrganization = await driver.SubmitEmailAsync(await driver.OpenAsync(LoginDriver.LoginUrl(other)), "per-address@example.com");

        Assert.Equal(HttpStatusCode.OK, otherAddress.Response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, otherOrganization.Response.StatusCode);
    }
}

public sealed class EmailsPerAddressTests(EmailsPerAddressFixture fixture) : IClassFixture<EmailsPerAddressFixture>
{
    [Fact]
    public async Task Emails_over_the_per_address_limit_are_refused_with_429()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization));
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await driver.SubmitEmailAsync(page, "limit@example.com")).Response.StatusCode);
        }

        var third = await driver.SubmitEmailAsync(page, "limit@example.com");

        RateLimitAssertions.AssertTooManyRequestsPage(third, 15 * 60);
        Assert.Equal(2, await fixture.Factory.WithDbAsync(db => db.LoginAttempts.CountAsync(a => a.OrganizationId == organization.Id)));
        Assert.Equal(2, LoginAssertions.EmailCount(fixture, "limit@example.com"));
    }
}

public sealed class EmailsPerIpTests(EmailsPerIpFixture fixture) : IClassFixture<EmailsPerIpFixture>
{
    [Fact]
    public async Task Emails_over_the_per_ip_limit_are_refused_with_429_whatever_the_address()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization));
        Assert.Equal(HttpStatusCode.OK, (await driver.SubmitEmailAsync(page, "ip1@example.com")).Response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await driver.SubmitEmailAsync(page, "ip2@example.com")).Response.StatusCode);

        var third = await driver.SubmitEmailAsync(page, "ip3@example.com");

        RateLimitAssertions.AssertTooManyRequestsPage(third, 15 * 60);
        Assert.False(LoginAssertions.HasEmailTo(fixture, "ip3@example.com"));
    }
}

public sealed class CodeChecksPerIpTests(CodeChecksPerIpFixture fixture) : IClassFixture<CodeChecksPerIpFixture>
{
    [Fact]
    public async Task Code_checks_over_the_per_ip_limit_are_refused_with_429_even_for_the_right_code()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization));
        var codePage = await driver.SubmitEmailAsync(page, "checks@example.com");
        var right = fixture.Outbox.LatestCodeFor("checks@example.com");
        var wrong = ((int.Parse(right, CultureInfo.InvariantCulture) + 1) % 100_000).ToString("D5", CultureInfo.InvariantCulture);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.BadRequest, (await driver.SubmitCodeAsync(codePage, wrong)).Response.StatusCode);
        }

        var fourth = await driver.SubmitCodeAsync(codePage, right);

        RateLimitAssertions.AssertTooManyRequestsPage(fourth, 15 * 60);
        Assert.Contains("name=\"code\"", fourth.Html);
    }
}

public sealed class CodeChecksPerAddressTests(CodeChecksPerAddressFixture fixture) : IClassFixture<CodeChecksPerAddressFixture>
{
    [Fact]
    public async Task Code_checks_over_the_per_address_limit_are_refused_with_429_across_new_attempts()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        var first = await driver.SubmitEmailAsync(await driver.OpenAsync(LoginDriver.LoginUrl(organization)), "spread@example.com");
        var firstCode = fixture.Outbox.LatestCodeFor("spread@example.com");
        var wrong = ((int.Parse(firstCode, CultureInfo.InvariantCulture) + 1) % 100_000).ToString("D5", CultureInfo.InvariantCulture);
        Assert.Equal(HttpStatusCode.BadRequest, (await driver.SubmitCodeAsync(first, wrong)).Response.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await driver.SubmitCodeAsync(first, wrong)).Response.StatusCode);

        // A fresh attempt for the same address does not reset the count.
        var second = await driver.SubmitEmailAsync(await driver.OpenAsync(LoginDriver.LoginUrl(organization)), "spread@example.com");
        var secondCode = fixture.Outbox.LatestCodeFor("spread@example.com");
        var wrongAgain = ((int.Parse(secondCode, CultureInfo.InvariantCulture) + 1) % 100_000).ToString("D5", CultureInfo.InvariantCulture);
        Assert.Equal(HttpStatusCode.BadRequest, (await driver.SubmitCodeAsync(second, wrongAgain)).Response.StatusCode);

        var fourth = await driver.SubmitCodeAsync(second, secondCode);

        RateLimitAssertions.AssertTooManyRequestsPage(fourth, 15 * 60);
    }
}
