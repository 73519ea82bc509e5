using AuthServer.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace AuthServer.Tests.Foundation;

public sealed class ProductionConfigurationTests
{
    [Fact]
    public async Task Production_without_smtp_refuses_to_start_rather_than_log_codes()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var factory = new AuthServerFactory(database.ConnectionString) { EnvironmentName = "Production" };

        var failure = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        var validation = Assert.IsType<OptionsValidationException>(failure.GetBaseException() as OptionsValidationException ?? failure);
        Assert.Contains("Email:Smtp:Host", validation.Message);
    }

    [Fact]
    public async Task Production_with_smtp_starts()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var factory = new AuthServerFactory(database.ConnectionString, new Dictionary<string, string?> { ["Email:Smtp:Host"] = "smtp.example.com" })
        {
            EnvironmentName = "Production",
        };

        using var client = factory.CreateClient();

        Assert.True((await client.GetAsync("/health/live")).IsSuccessStatusCode);
    }
}
