using System.Net.Http.Headers;
using AuthServer.Features.Admin;
using AuthServer.Features.Audit;
using AuthServer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AuthServer.Tests.Webhooks;

/// <summary>
/// A login server whose webhooks may reach loopback (the receiver runs there), with short retry delays so
/// retries happen within a test, a global admin key, a log capture and a receiver.
/// </summary>
public class WebhookFixture : LoginServerFixture
{
    public const int MaxAttempts = 3;

    public LogCapture Log { get; } = new();
    public WebhookReceiver Receiver { get; private set; } = null!;
    public string GlobalKey { get; private set; } = "";

    protected virtual bool AllowPrivateNetworks => true;

    protected override IDictionary<string, string?> Settings
    {
        get
        {
            var settings = base.Settings;
            settings["Webhooks:AllowPrivateNetworks"] = AllowPrivateNetworks ? "true" : "false";
            settings["Webhooks:PollInterval"] = "00:00:00.100";
            settings["Webhooks:RetryDelay"] = "00:00:00.200";
            settings["Webhooks:MaxRetryDelay"] = "00:00:00.500";
            settings["Webhooks:MaxAttempts"] = MaxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture);
            settings["Webhooks:Timeout"] = "00:00:02";
            return settings;
        }
    }

    protected override Action<IServiceCollection>? ConfigureServices => services => services.AddSingleton<ILoggerProvider>(Log);

    public override async Task InitializeAsync()
    {
        Receiver = await WebhookReceiver.StartAsync();
        await base.InitializeAsync();
        await using var scope = Factory.Services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<ApiKeyService>()
            .CreateAsync("webhook tests", null, AuditActor.CommandLine(), CancellationToken.None);
        GlobalKey = created.Value!.Key;
    }

    public HttpClient Admin()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", GlobalKey);
        return client;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Receiver.DisposeAsync();
    }
}

/// <summary>The same without <c>Webhooks:AllowPrivateNetworks</c>: the default, where loopback is refused.</summary>
public sealed class DefaultWebhookFixture : WebhookFixture
{
    protected override bool AllowPrivateNetworks => false;
}
