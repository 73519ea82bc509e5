namespace AuthServer.Tests.Infrastructure;

/// <summary>One server on its own fresh database, shared by the tests of one class.</summary>
public class ServerFixture : IAsyncLifetime
{
    private TestDatabase? database;
    private AuthServerFactory? factory;

    public TestDatabase Database => database ?? throw new InvalidOperationException("Fixture not initialized.");
    public AuthServerFactory Factory => factory ?? throw new InvalidOperationException("Fixture not initialized.");

    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    public virtual async Task InitializeAsync()
    {
        database = await TestDatabase.CreateAsync();
        factory = new AuthServerFactory(database.ConnectionString, Settings);
        // Builds the host: migrations and keys happen here.
        _ = factory.Server;
    }

    public HttpClient CreateClient() => Factory.CreateClient(new() { AllowAutoRedirect = false });

    public virtual async Task DisposeAsync()
    {
        if (factory is not null)
        {
            await factory.DisposeAsync();
        }

        if (database is not null)
        {
            await database.DisposeAsync();
        }
    }
}
