using System.Net;
using AuthServer.Tests.Infrastructure;

namespace AuthServer.Tests.MultiInstance;

/// <summary>Killed and stopped instances: sign-ins survive on the other one, stops are graceful.</summary>
[Collection(Foundation.DatabaseOutageCollection.Name)]
public sealed class ProcessFaultTests : IAsyncLifetime
{
    private readonly TwoInstancesFixture fixture = new();

    public Task InitializeAsync() => fixture.InitializeAsync();

    public Task DisposeAsync() => fixture.DisposeAsync();

    [Fact]
    public async Task Instance_killed_mid_sign_in_the_other_instance_completes_it()
    {
        var organization = await fixture.CreateOrganizationAsync();
        var cookies = new CookieContainer();
        using var handler = new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = cookies };
        using var onA = new LoginDriver(new HttpClient(handler, false) { BaseAddress = new Uri(fixture.A.BaseUrl) }, fixture.Outbox);
        using var onB = new LoginDriver(new HttpClient(handler, false) { BaseAddress = new Uri(fixture.B.BaseUrl) }, fixture.Outbox);
        var codePage = await onA.SubmitEmailAsync(await onA.OpenAsync(LoginDriver.LoginUrl(organization)), "killed@example.com");

        await fixture.A.KillAsync();

        var done = await onB.SubmitCodeAsync(codePage, fixture.Outbox.LatestCodeFor("killed@example.com"));
        Assert.Equal(HttpStatusCode.Redirect, done.Response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await onB.VerifyAsync(organization, done.RedirectQuery["code"])).StatusCode);
    }

    [Fact]
    public async Task Sigterm_turns_readiness_unhealthy_first_keeps_serving_then_exits()
    {
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(fixture.B.BaseUrl + "/health/ready")).StatusCode);

        fixture.B.Terminate();
        await Task.Delay(500);

        // Draining: not ready any more, but still answering (the balancer needs time to notice).
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync(fixture.B.BaseUrl + "/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(fixture.B.BaseUrl + "/health/live")).StatusCode);
        Assert.True(await fixture.B.WaitForExitAsync(TimeSpan.FromSeconds(30)), "The process did not exit after SIGTERM.");
    }
}
