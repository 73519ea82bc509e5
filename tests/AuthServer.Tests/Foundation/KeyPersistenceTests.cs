using AuthServer.Tests.Infrastructure;

namespace AuthServer.Tests.Foundation;

public sealed class KeyPersistenceTests
{
    [Fact]
    public async Task Signing_key_is_the_same_after_a_restart_of_the_host()
    {
        await using var database = await TestDatabase.CreateAsync();

        var first = await ReadJwksAsync(database);
        var second = await ReadJwksAsync(database);

        Assert.Contains("\"kid\"", first);
        Assert.Equal(first, second);
    }

    private static async Task<string> ReadJwksAsync(TestDatabase database)
    {
        await using var factory = new AuthServerFactory(database.ConnectionString);
        using var client = factory.CreateClient();
        return await client.GetStringAsync("/.well-known/jwks");
    }
}
