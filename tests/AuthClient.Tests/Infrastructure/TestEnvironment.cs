namespace AuthServer.AuthClientTests.Infrastructure;

/// <summary>What ./test.sh provides: a throwaway PostgreSQL (AUTH_TEST_PG).</summary>
public static class TestEnvironment
{
    public static string PostgresAdminConnectionString =>
        Environment.GetEnvironmentVariable("AUTH_TEST_PG") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException("AUTH_TEST_PG is not set: run the tests with ./test.sh, which starts PostgreSQL and sets it.");
}
