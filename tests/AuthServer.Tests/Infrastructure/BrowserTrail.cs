using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Playwright;

namespace AuthServer.Tests.Infrastructure;

/// <summary>
/// What a browser context did (navigations, requests with their answers, failed requests, console lines), kept
/// so that a browser test that fails, above all one that fails only on another machine, says in its message
/// where each page was and what the server answered, not only which wait ran out.
/// </summary>
public sealed class BrowserTrail
{
    private readonly ConcurrentQueue<string> lines = new();
    private readonly ConcurrentDictionary<IPage, string> labels = new();
    private readonly Stopwatch clock = Stopwatch.StartNew();

    private BrowserTrail()
    {
    }

    public static BrowserTrail Follow(params IBrowserContext[] contexts)
    {
        var trail = new BrowserTrail();
        foreach (var context in contexts)
        {
            context.Page += (_, page) => trail.Watch(page);
            foreach (var page in context.Pages)
            {
                trail.Watch(page);
            }
        }

        return trail;
    }

    /// <summary>Runs a test's steps; a failure is thrown again with the trail and each open page's address and text.</summary>
    public async Task ExplainingFailuresAsync(Func<Task> steps)
    {
        try
        {
            await steps();
        }
        catch (Exception failure) when (failure is TimeoutException or PlaywrightException or Xunit.Sdk.XunitException)
        {
            var shown = new List<string>();
            foreach (var (page, label) in labels.OrderBy(l => l.Value, StringComparer.Ordinal).Where(l => !l.Key.IsClosed))
            {
                shown.Add($"{label} at {page.Url}:\n{await TextOfAsync(page)}");
            }

            throw new BrowserTestFailure($"{failure.Message}\n--- what the browser did ---\n{string.Join('\n', lines)}\n--- the pages ---\n{string.Join('\n', shown)}", failure);
        }
    }

    private void Watch(IPage page)
    {
        var label = labels.GetOrAdd(page, _ => $"page{labels.Count + 1}");
        page.FrameNavigated += (_, frame) =>
        {
            if (frame.ParentFrame is null)
            {
                Add($"{label} navigated to {frame.Url}");
            }
        };
        page.Request += (_, request) => Add($"{label} → {request.Method} {request.Url}");
        page.Response += (_, response) => Add($"{label} ← {response.Status} {response.Request.Method} {response.Url}{Location(response)}");
        page.RequestFailed += (_, request) => Add($"{label} ✗ {request.Method} {request.Url}: {request.Failure}");
        page.Console += (_, message) => Add($"{label} console {message.Type}: {message.Text}");
        page.PageError += (_, error) => Add($"{label} script error: {error}");
    }

    private static string Location(IResponse response) =>
        response.Headers.TryGetValue("location", out var location) ? $" → {location}" : "";

    private void Add(string line) => lines.Enqueue($"{clock.Elapsed.TotalSeconds,7:0.000}s {line}");

    private static async Task<string> TextOfAsync(IPage page)
    {
        try
        {
            var text = await page.Locator("body").InnerTextAsync(new() { Timeout = 2_000 });
            return text.Length > 1_500 ? text[..1_500] + "…" : text;
        }
        catch (Exception exception) when (exception is TimeoutException or PlaywrightException)
        {
            return $"(no text: {exception.Message.Split('\n')[0]})";
        }
    }

    private sealed class BrowserTestFailure(string message, Exception inner) : Exception(message, inner);
}
