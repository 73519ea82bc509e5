namespace AuthServer.Tests.Infrastructure;

/// <summary>What ./test.sh provides: a throwaway PostgreSQL, an SMTP server, Chromium, an artifacts folder.</summary>
public static class TestEnvironment
{
    public static string PostgresAdminConnectionString => Required("AUTH_TEST_PG");
    public static string? PostgresDataDirectory => Environment.GetEnvironmentVariable("AUTH_TEST_PG_DATA");
    public static string? PostgresPort => Environment.GetEnvironmentVariable("AUTH_TEST_PG_PORT");
    public static string? PostgresScript => Environment.GetEnvironmentVariable("AUTH_TEST_PG_SCRIPT");
    public static string SmtpHost => Required("AUTH_TEST_SMTP_HOST");
    public static int SmtpPort => int.Parse(Required("AUTH_TEST_SMTP_PORT"), System.Globalization.CultureInfo.InvariantCulture);
    public static string MaildevUrl => Required("AUTH_TEST_MAILDEV_URL");
    public static string AxeScript => Required("AUTH_TEST_AXE");
    public static string Chromium => Environment.GetEnvironmentVariable("AUTH_TEST_CHROMIUM") ?? "/usr/bin/chromium";

    public static string ArtifactsDirectory
    {
        get
        {
            var path = Environment.GetEnvironmentVariable("AUTH_TEST_ARTIFACTS") ?? Path.Combine(Path.GetTempPath(), "authserver-test-artifacts");
            Directory.CreateDirectory(path);
            return path;
        }
    }

    private static string Required(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{name} is not set: run the tests with ./test.sh, which starts PostgreSQL, SMTP and sets it.");
}
