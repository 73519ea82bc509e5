using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace AuthServer.Tests.Webhooks;

/// <summary>One request a receiver got: its path, the three Standard Webhooks headers and the raw body.</summary>
public sealed record ReceivedWebhook(string Path, string Id, string Timestamp, string Signature, string Body, int AnsweredStatus)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;
    public string Type => Json.GetProperty("type").GetString()!;
}

/// <summary>
/// A real HTTP receiver on a loopback port (Kestrel). Each path answers 200, or 500 for its first N requests
/// when told to (<see cref="FailFirst"/>), or always (<see cref="FailAlways"/>); every request is kept.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentQueue<ReceivedWebhook> received = new();
    private readonly ConcurrentDictionary<string, int> failuresLeft = new();

    private WebhookReceiver(WebApplication app, int port)
    {
        this.app = app;
        Port = port;
    }

    public int Port { get; }

    public string UrlFor(string path, string host = "127.0.0.1") => $"http://{host}:{Port}/{path}";

    public IReadOnlyList<ReceivedWebhook> ReceivedOn(string path) => [.. received.Where(r => r.Path == "/" + path)];

    public void FailFirst(string path, int times) => failuresLeft["/" + path] = times;

    public void FailAlways(string path) => failuresLeft["/" + path] = int.MaxValue;

    public static async Task<WebhookReceiver> StartAsync()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var receiver = new WebhookReceiver(app, port);
        app.Run(receiver.HandleAsync);
        await app.StartAsync();
        return receiver;
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var path = context.Request.Path.Value ?? "/";
        var status = 200;
        if (failuresLeft.TryGetValue(path, out var left) && left > 0)
        {
            failuresLeft[path] = left == int.MaxValue ? left : left - 1;
            status = 500;
        }

        received.Enqueue(new ReceivedWebhook(path, context.Request.Headers["webhook-id"].ToString(), context.Request.Headers["webhook-timestamp"].ToString(),
            context.Request.Headers["webhook-signature"].ToString(), body, status));
        context.Response.StatusCode = status;
        await context.Response.WriteAsync(status == 200 ? "ok" : "not now");
    }

    /// <summary>Waits until <paramref name="condition"/> holds for the requests on <paramref name="path"/>.</summary>
    public async Task<IReadOnlyList<ReceivedWebhook>> WaitForAsync(string path, Func<IReadOnlyList<ReceivedWebhook>, bool> condition, int seconds = 20, Func<string>? diagnostics = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var got = ReceivedOn(path);
            if (condition(got))
            {
                return got;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Timed out on {path}; received: {string.Join(" | ", got.Select(r => r.Body))}\n{diagnostics?.Invoke()}");
            await Task.Delay(100);
        }
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();

    /// <summary>
    /// The Standard Webhooks check, written here from the specification rather than taken from the server: the
    /// secret after "whsec_" is base64; the signed content is "{id}.{timestamp}.{body}"; the header holds
    /// space-separated "v1,{base64 HMAC-SHA256}" entries, any of which may match (compared in constant time).
    /// </summary>
    public static bool Verify(string secret, ReceivedWebhook webhook)
    {
        Assert.StartsWith("whsec_", secret);
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        using var hmac = new HMACSHA256(key);
        var expected = hmac.ComputeHash(Encoding.UTF8.GetBytes($"{webhook.Id}.{webhook.Timestamp}.{webhook.Body}"));
        foreach (var entry in webhook.Signature.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = entry.Split(',', 2);
            if (parts.Length == 2 && parts[0] == "v1" && CryptographicOperations.FixedTimeEquals(Convert.FromBase64String(parts[1]), expected))
            {
                return true;
            }
        }

        return false;
    }
}
