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
    /// <summary>The newest events in a failure's message (CI logs show its first lines only); the whole trail goes to a file.</summary>
    private const int LinesInMessage = 40;

    private readonly ConcurrentQueue<string> lines = new();
    private readonly List<(IPage Page, string Label)> pages = [];
    private readonly Lock gate = new();
    private readonly Stopwatch clock = Stopwatch.StartNew();

    private BrowserTrail()
    {
    }

    /// <param name="contexts">Each context with the name its pages are labelled with ("laptop", "phone").</param>
    public static BrowserTrail Follow(params (string Name, IBrowserContext Context)[] contexts)
    {
        var trail = new BrowserTrail();
        foreach (var (name, context) in contexts)
        {
            context.Page += (_, page) => trail.Watch(name, page);
            foreach (var page in context.Pages)
            {
                trail.Watch(name, page);
            }
        }

        return trail;
    }

    /// <summary>
    /// Runs a test's steps; a failure is thrown again with each open page's address and text, then the newest
    /// events of the trail (the whole trail is written beside the screenshots).
    /// </summary>
    public async Task ExplainingFailuresAsync(string testName, Func<Task> steps)
    {
        try
        {
            await steps();
        }
        catch (Exception failure) when (failure is TimeoutException or PlaywrightException or Xunit.Sdk.XunitException)
        {
            var shown = new List<string>();
            foreach (var (page, label) in Pages().Where(p => !p.Page.IsClosed))
            {
                shown.Add($"{label} at {page.Url}:\n{await TextOfAsync(page)}");
            }

            var all = lines.ToArray();
            var file = Path.Combine(TestEnvironment.ArtifactsDirectory, "browser-trails", testName + ".txt");
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            await File.WriteAllLinesAsync(file, all);
            throw new BrowserTestFailure(
                $"{failure.Message}\n--- the pages ---\n{string.Join('\n', shown)}\n"
                + $"--- the last {Math.Min(LinesInMessage, all.Length)} of {all.Length} browser events (all in {file}) ---\n{string.Join('\n', all.TakeLast(LinesInMessage))}",
                failure);
        }
    }

    private List<(IPage Page, string Label)> Pages()
    {
        lock (gate)
        {
            return [.. pages];
        }
    }

    private void Watch(string context, IPage page)
    {
        string label;
        lock (gate)
        {
            label = $"{context}#{pages.Count(p => p.Label.StartsWith(context + "#", StringComparison.Ordinal)) + 1}";
            pages.Add((page, label));
        }

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
            return text.Length > 1_000 ? text[..1_000] + "…" : text;
        }
        catch (Exception exception) when (exception is TimeoutException or PlaywrightException)
        {
            return $"(no text: {exception.Message.Split('\n')[0]})";
        }
    }

    private sealed class BrowserTestFailure(string message, Exception inner) : Exception(message, inner);
}
