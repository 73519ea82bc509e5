using System.Net;
using System.Net.Sockets;

namespace AuthServer.AuthClientTests.Infrastructure;

/// <summary>
/// A byte pump in front of the auth server on its own port: while stopped, the port refuses connections
/// exactly as a server that is down does; started again, everything works as before. Below HTTP, so the
/// library sees a real network failure, not a scripted one.
/// </summary>
public sealed class TcpProxy(int targetPort) : IAsyncDisposable
{
    private readonly List<TcpClient> _connections = [];
    private TcpListener? _listener;
    private CancellationTokenSource? _stop;

    public int Port { get; private set; }

    public string Url => $"http://localhost:{Port}";

    public void Start()
    {
        _stop = new CancellationTokenSource();
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = AcceptAsync(_listener, _stop.Token);
    }

    /// <summary>The server "goes down": no new connections, and the open ones are cut.</summary>
    public void Stop()
    {
        _stop?.Cancel();
        _listener?.Stop();
        lock (_connections)
        {
            foreach (var connection in _connections)
            {
                connection.Dispose();
            }

            _connections.Clear();
        }
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }

    private async Task AcceptAsync(TcpListener listener, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient incoming;
            try
            {
                incoming = await listener.AcceptTcpClientAsync(stop);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var outgoing = new TcpClient();
            lock (_connections)
            {
                _connections.Add(incoming);
                _connections.Add(outgoing);
            }

            _ = PumpAsync(incoming, outgoing, stop);
        }
    }

    private async Task PumpAsync(TcpClient incoming, TcpClient outgoing, CancellationToken stop)
    {
        try
        {
            await outgoing.ConnectAsync(IPAddress.Loopback, targetPort, stop);
            var a = incoming.GetStream();
            var b = outgoing.GetStream();
            await Task.WhenAny(a.CopyToAsync(b, stop), b.CopyToAsync(a, stop));
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // A cut connection is the point of Stop().
        }
        finally
        {
            incoming.Dispose();
            outgoing.Dispose();
        }
    }
}
