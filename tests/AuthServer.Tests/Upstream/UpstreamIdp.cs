using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using AuthServer.Data.Entities;
using AuthServer.Features.Upstream;
using AuthServer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AuthServer.Tests.Upstream;

/// <summary>
/// panva/oidc-provider (tests/upstream-idp) as a real process on loopback: the upstream OpenID Connect provider
/// a connection signs in through. Its client accepts every redirect URI under the server's /login/upstream/.
/// </summary>
public sealed class UpstreamIdp : IAsyncDisposable
{
    public const string ClientId = "authserver-test";
    public const string ClientSecret = "upstream-secret-0123456789";

    private readonly Process process;

    private readonly System.Text.StringBuilder log;

    private UpstreamIdp(Process process, string issuer, System.Text.StringBuilder log)
    {
        this.process = process;
        this.log = log;
        Issuer = issuer;
    }

    /// <summary>What the provider wrote to stderr (its errors), for failure messages.</summary>
    public string Log
    {
        get
        {
            lock (log)
            {
                return log.ToString();
            }
        }
    }

    public string Issuer { get; }

    /// <summary>Starts the provider; <paramref name="mode"/> "wrong-key" publishes a key that did not sign its ID tokens.</summary>
    public static async Task<UpstreamIdp> StartAsync(string serverBaseUrl, string? mode = null)
    {
        var script = Environment.GetEnvironmentVariable("AUTH_TEST_UPSTREAM_IDP") is { Length: > 0 } path
            ? path
            : throw new InvalidOperationException("AUTH_TEST_UPSTREAM_IDP is not set: run the tests with ./test.sh.");
        var port = FreePort();
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { script, port.ToString(System.Globalization.CultureInfo.InvariantCulture), ClientId, ClientSecret, serverBaseUrl + "/login/upstream/", mode ?? "normal" })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.Contains("listening", StringComparison.Ordinal) == true)
            {
                listening.TrySetResult();
            }
        };
        var log = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            lock (log)
            {
                log.AppendLine(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await listening.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return new UpstreamIdp(process, $"http://127.0.0.1:{port}", log);
    }

    /// <summary>Which email the provider gives for this subject from now on.</summary>
    public async Task SetEmailAsync(string subject, string email)
    {
        using var http = new HttpClient();
        var response = await http.GetAsync($"{Issuer}/test/account?sub={Uri.EscapeDataString(subject)}&email={Uri.EscapeDataString(email)}");
        response.EnsureSuccessStatusCode();
    }

    /// <summary>An issuer nobody listens on: the provider is down.</summary>
    public static string UnreachableIssuer() => $"http://127.0.0.1:{FreePort()}";

    public static async Task<Guid> AddConnectionAsync(IServiceProvider services, Guid organizationId, string kind, string clientId, string secret,
        Action<UpstreamConnection>? configure = null)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AuthServer.Data.AuthDbContext>();
        var now = DateTimeOffset.UtcNow;
        var connection = new UpstreamConnection
        {
            Id = Guid.NewGuid(),
            OrganizationId = organizationId,
            Kind = kind,
            ClientId = clientId,
            ProtectedClientSecret = scope.ServiceProvider.GetRequiredService<UpstreamSecrets>().Protect(secret),
            Created = now,
            Updated = now,
        };
        configure?.Invoke(connection);
        db.UpstreamConnections.Add(connection);
        await db.SaveChangesAsync();
        scope.ServiceProvider.GetRequiredService<AuthServer.Features.Organizations.OrganizationCache>().Invalidate(organizationId);
        return connection.Id;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
