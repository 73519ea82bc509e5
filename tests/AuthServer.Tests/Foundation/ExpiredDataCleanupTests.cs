using AuthServer.Data.Entities;
using AuthServer.Hosting;
using AuthServer.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AuthServer.Tests.Foundation;

public sealed class ExpiredDataCleanupTests(LoginServerFixture fixture) : IClassFixture<LoginServerFixture>
{
    [Fact]
    public async Task Requests_expired_over_a_day_ago_are_deleted_and_fresh_ones_kept()
    {
        var organization = await fixture.CreateOrganizationAsync();
        var old = NewRequest(organization.Id, DateTimeOffset.UtcNow.AddDays(-2));
        var fresh = NewRequest(organization.Id, DateTimeOffset.UtcNow.AddMinutes(30));
        await fixture.Factory.WithDbAsync(async db =>
        {
            db.AuthorizationRequests.AddRange(old, fresh);
            return await db.SaveChangesAsync();
        });

        var cleanup = fixture.Factory.Services.GetServices<IHostedService>().OfType<ExpiredDataCleanup>().Single();
        await cleanup.CleanAsync(CancellationToken.None);

        var remaining = await fixture.Factory.WithDbAsync(db => db.AuthorizationRequests.Where(r => r.Id == old.Id || r.Id == fresh.Id).Select(r => r.Id).ToListAsync());
        Assert.Equal([fresh.Id], remaining);
    }

    private static AuthorizationRequest NewRequest(Guid organizationId, DateTimeOffset expiresAt) => new()
    {
        Id = Guid.NewGuid(),
        OrganizationId = organizationId,
        RedirectUri = LoginServerFixture.Callback,
        State = "s",
        CodeChallenge = "c",
        Created = expiresAt.AddHours(-1),
        ExpiresAt = expiresAt,
    };
}
