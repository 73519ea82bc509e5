namespace AuthServer.Hosting;

public static class LoggingSetup
{
    /// <summary>
    /// Structured JSON logs with scopes, so every line carries the request's TraceId and the error
    /// responses' traceId can be found in the log. "Logging:Format=simple" gives readable lines for humans.
    /// </summary>
    public static ILoggingBuilder AddAuthLogging(this ILoggingBuilder logging, IConfiguration configuration)
    {
        logging.ClearProviders();
        if (string.Equals(configuration["Logging:Format"], "simple", StringComparison.OrdinalIgnoreCase))
        {
            logging.AddSimpleConsole(o => { o.IncludeScopes = true; o.SingleLine = true; });
        }
        else
        {
            logging.AddJsonConsole(o => { o.IncludeScopes = true; o.UseUtcTimestamp = true; });
        }

        return logging;
    }
}
