using AuthServer.Data;
using AuthServer.Hosting;
using AuthServer.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AuthServer.Tests.Tokens;

/// <summary>Rotations asked for at the same moment (several instances, several callers) make one.</summary>
public sealed class ConcurrentRotationTests(KeyRotationFixture fixture) : IClassFixture<KeyRotationFixture>
{
    [Fact]
    public async Task Five_rotations_at_once_create_one_next_key_per_use_and_all_name_it()
    {
        var before = await fixture.Factory.WithDbAsync(db => db.ServerKeys.CountAsync());

        // Each on its own scope and connection, like five instances.
        var rotations = await Task.WhenAll(Enumerable.Range(0, 5).Select(async _ =>
        {
            await using var scope = fixture.Factory.Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<KeyRotationService>().RotateAsync(CancellationToken.None);
        }));

        Assert.Single(rotations.Select(r => r.SigningKeyId).Distinct());
        var added = await fixture.Factory.WithDbAsync(db => db.ServerKeys.CountAsync()) - before;
        Assert.Equal(3, added); // one RSA signing key, one P-256 signing key, one token encryption key
        foreach (var use in new[] { ServerKeyRing.SigningUse, ServerKeyRing.EcSigningUse, ServerKeyRing.TokenEncryptionUse })
        {
            var generations = await fixture.Factory.WithDbAsync(db => db.ServerKeys.Where(k => k.Use == use).Select(k => k.Generation).ToListAsync());
            Assert.Equal(generations.Count, generations.Distinct().Count());
        }
        // A rotation while one is pending changes nothing.
        await using (var scope = fixture.Factory.Services.CreateAsyncScope())
        {
            var again = await scope.ServiceProvider.GetRequiredService<KeyRotationService>().RotateAsync(CancellationToken.None);
            Assert.Equal(rotations[0].SigningKeyId, again.SigningKeyId);
            Assert.Equal(rotations[0].ActivatesAt, again.ActivatesAt);
        }
    }
}
