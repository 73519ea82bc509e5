using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace AuthServer.AuthClientTests.Infrastructure;

/// <summary>Every log line of a host (category, level, formatted message), to assert what an operator would read.</summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<Line> _lines = new();

    public IReadOnlyList<Line> Lines => [.. _lines];

    public IReadOnlyList<Line> AtLeast(LogLevel level) => Lines.Where(l => l.Level >= level).ToList();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    /// <summary>Waits (up to <paramref name="timeout"/>) for a line that matches, for logs written in the background.</summary>
    public async Task<Line?> WaitForAsync(Func<Line, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Lines.FirstOrDefault(match) is { } line)
            {
                return line;
            }

            await Task.Delay(50);
        }

        return Lines.FirstOrDefault(match);
    }

    public sealed record Line(string Category, LogLevel Level, string Message);

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            capture._lines.Enqueue(new Line(category, logLevel, formatter(state, exception)));
    }
}
