using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace AuthServer.Tests.Infrastructure;

/// <summary>A maildev process of the test's own on chosen ports, to stop and start an SMTP server at will.</summary>
public sealed class MaildevProcess : IAsyncDisposable
{
    private readonly Process process;

    private MaildevProcess(Process process, string webUrl) => (this.process, WebUrl) = (process, webUrl);

    public string WebUrl { get; }

    public static async Task<MaildevProcess> StartAsync(int smtpPort)
    {
        var binary = Path.Combine(ServerProcess.RepositoryRoot(), ".tools", "maildev", "node_modules", ".bin", "maildev");
        var webPort = ServerProcess.FreePort();
        var start = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "--smtp", smtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--web", webPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--ip", "127.0.0.1" })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var maildev = new MaildevProcess(process, $"http://127.0.0.1:{webPort}");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                if ((await http.GetAsync(maildev.WebUrl + "/email")).IsSuccessStatusCode)
                {
                    return maildev;
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                // Not up yet.
            }

            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                await maildev.DisposeAsync();
                throw new InvalidOperationException($"maildev ({binary}) did not start on SMTP port {smtpPort}.");
            }

            await Task.Delay(200);
        }
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
}

/// <summary>A mail server that hangs: it accepts TCP connections and never says a word (no SMTP greeting).</summary>
public sealed class HungSmtpServer : IDisposable
{
    private readonly TcpListener listener;
    private readonly List<Socket> held = [];
    private readonly CancellationTokenSource stop = new();

    public HungSmtpServer(int port)
    {
        listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        _ = AcceptAsync();
    }

    public int Connections { get; private set; }

    private async Task AcceptAsync()
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var socket = await listener.AcceptSocketAsync(stop.Token);
                lock (held)
                {
                    held.Add(socket);
                    Connections++;
                }
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }

    public void Dispose()
    {
        stop.Cancel();
        listener.Stop();
        lock (held)
        {
            foreach (var socket in held)
            {
                socket.Dispose();
            }
        }

        stop.Dispose();
    }
}
