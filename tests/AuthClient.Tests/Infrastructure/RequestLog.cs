using System.Collections.Concurrent;

namespace AuthServer.AuthClientTests.Infrastructure;

/// <summary>Every request the library sends to the auth server (path and headers), to count and inspect them.</summary>
public sealed class RequestLog
{
    private readonly ConcurrentQueue<LoggedRequest> _requests = new();

    public IReadOnlyList<LoggedRequest> Requests => [.. _requests];

    public int Count(string path) => _requests.Count(r => r.Path == path);

    public DelegatingHandler Handler() => new LoggingHandler(this);

    public sealed record LoggedRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, string? ContentType, string Body);

    private sealed class LoggingHandler(RequestLog log) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
            var headers = request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => string.Join(",", h.Value));
            log._requests.Enqueue(new LoggedRequest(request.Method.Method, request.RequestUri!.AbsolutePath, request.RequestUri.Query, headers,
                request.Content?.Headers.ContentType?.MediaType, body));
            return await base.SendAsync(request, cancellationToken);
        }
    }
}
