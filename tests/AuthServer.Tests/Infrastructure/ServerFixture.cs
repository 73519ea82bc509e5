namespace AuthServer.Tests.Infrastructure;

/// <summary>One server on its own fresh database, shared by the tests of one class.</summary>
public class ServerFixture : IAsyncLifetime
{
    private TestDatabase? database;
    private AuthServerFactory? factory;

    public TestDatabase Database => database ?? throw new InvalidOperationException("Fixture not initialized.");
    public AuthServerFactory Factory => factory ?? throw new InvalidOperationException("Fixture not initialized.");

    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    /// <summary>Services a fixture adds or replaces (for example a log capture); none by default.</summary>
    protected virtual Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? ConfigureServices => null;

    /// <summary>Where the fixture's database lives: the run's shared PostgreSQL unless a fixture has its own.</summary>
    protected virtual Task<TestDatabase> CreateDatabaseAsync() => TestDatabase.CreateAsync();

    /// <summary>How the server reaches the database: directly unless a fixture puts something in between.</summary>
    protected virtual Task<string> ServerConnectionStringAsync(TestDatabase created) => Task.FromResult(created.ConnectionString);

    public virtual async Task InitializeAsync()
    {
        database = await CreateDatabaseAsync();
        factory = new AuthServerFactory(await ServerConnectionStringAsync(database), Settings, ConfigureServices);
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
