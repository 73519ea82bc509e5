namespace AuthServer.Hosting;

/// <summary>
/// <c>AuthServer healthcheck [--url http://127.0.0.1:8080]</c>: asks the server on this machine for
/// /health/ready and exits 0 when it is ready, 1 otherwise. The container images of .NET have neither curl
/// nor wget, so the image's HEALTHCHECK and compose's probe call the server binary itself.
/// </summary>
public static class HealthCheckCommand
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public static async Task<int> RunAsync(IConfiguration configuration, IReadOnlyList<string> arguments, TextWriter output, CancellationToken cancellationToken)
    {
        var baseUrl = arguments.Count == 2 && arguments[0] == "--url" ? arguments[1] : LocalUrl(configuration);
        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var baseUri) || (baseUri.Scheme != Uri.UriSchemeHttp && baseUri.Scheme != Uri.UriSchemeHttps))
        {
            await output.WriteLineAsync($"unhealthy: '{baseUrl}' is not an http(s) URL");
            return 1;
        }

        var probe = new Uri(baseUri, "/health/ready");
        using var handler = new HttpClientHandler();
        if (baseUri.IsLoopback)
        {
            // The server's certificate names its public host, not the loopback address this probe uses.
            handler.ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator;
        }

        using var http = new HttpClient(handler) { Timeout = Timeout };
        try
        {
            using var response = await http.GetAsync(probe, cancellationToken);
            await output.WriteLineAsync($"{(response.IsSuccessStatusCode ? "ready" : "unhealthy")}: {probe} answered {(int)response.StatusCode}");
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            await output.WriteLineAsync($"unhealthy: {probe} did not answer ({exception.Message})");
            return 1;
        }
    }

    /// <summary>
    /// Where this machine's server listens, from the same settings Kestrel reads: urls (--urls,
    /// ASPNETCORE_URLS), then http_ports (ASPNETCORE_HTTP_PORTS, set to 8080 by the .NET images), then
    /// ASP.NET Core's default. A wildcard host becomes the loopback address.
    /// </summary>
    public static string LocalUrl(IConfiguration configuration)
    {
        var urls = (configuration["urls"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var url = urls.FirstOrDefault(u => u.StartsWith("http://", StringComparison.OrdinalIgnoreCase)) ?? urls.FirstOrDefault();
        if (url is null)
        {
            var port = (configuration["http_ports"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
            url = port is null ? "http://localhost:5000" : $"http://127.0.0.1:{port}";
        }

        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
        {
            return url;
        }

        var rest = url[(schemeEnd + 3)..];
        var hostEnd = rest.StartsWith('[') ? rest.IndexOf(']', StringComparison.Ordinal) + 1 : rest.IndexOfAny([':', '/']);
        var host = hostEnd <= 0 ? rest : rest[..hostEnd];
        var local = host switch
        {
            "*" or "+" or "0.0.0.0" => "127.0.0.1",
            "[::]" => "[::1]",
            _ => host,
        };
        return url[..(schemeEnd + 3)] + local + (hostEnd <= 0 ? "" : rest[hostEnd..]);
    }
}
