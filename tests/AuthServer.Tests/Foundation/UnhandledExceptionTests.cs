using System.Net;
using AuthServer.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace AuthServer.Tests.Foundation;

public sealed class UnhandledExceptionTests : IAsyncLifetime
{
    private TestDatabase? database;
    private AuthServerFactory? factory;

    public async Task InitializeAsync()
    {
        database = await TestDatabase.CreateAsync();
        // A route that fails the way a bug does, placed inside the server's pipeline.
        factory = new AuthServerFactory(database.ConnectionString, services: s => s.AddTransient<IStartupFilter, ThrowingRouteFilter>());
    }

    [Fact]
    public async Task A_bug_answers_genericError_500_without_internals()
    {
        using var client = factory!.CreateClient();

        var response = await client.GetAsync("/api/test/throw");

        await response.AssertErrorAsync(HttpStatusCode.InternalServerError, "genericError");
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("secret internals", text);
        Assert.DoesNotContain("InvalidOperationException", text);
        Assert.DoesNotContain(" at ", text);
    }

    public async Task DisposeAsync()
    {
        await factory!.DisposeAsync();
        await database!.DisposeAsync();
    }

    private sealed class ThrowingRouteFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Map("/api/test/throw", branch => branch.Run(_ => throw new InvalidOperationException("secret internals")));
            next(app);
        };
    }
}
