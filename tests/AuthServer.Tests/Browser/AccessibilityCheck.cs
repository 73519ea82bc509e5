using System.Text.Json;
using AuthServer.Tests.Foundation;
using AuthServer.Tests.Infrastructure;
using Microsoft.Playwright;

namespace AuthServer.Tests.Browser;

/// <summary>The look-and-access check of a hosted page: a full-page screenshot to look at, then axe-core.</summary>
public static class AccessibilityCheck
{
    /// <summary>Saves artifacts/screenshots/appearance-{name}.png, then fails on any serious or critical axe-core violation.</summary>
    public static async Task ScreenshotAndCheckAsync(IPage page, string name)
    {
        await page.ScreenshotAsync(new() { Path = Path.Combine(TestEnvironment.ArtifactsDirectory, "screenshots", $"appearance-{name}.png"), FullPage = true });
        await page.AddScriptTagAsync(new() { Path = Axe });
        var result = await page.EvaluateAsync<JsonElement>("async () => (await axe.run(document, { resultTypes: ['violations'] })).violations.map(v => ({ id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' ')).join(', ') }))");
        var serious = result.EnumerateArray().Where(v => v.GetProperty("impact").GetString() is "serious" or "critical")
            .Select(v => $"{v.GetProperty("id").GetString()} ({v.GetProperty("impact").GetString()}): {v.GetProperty("nodes").GetString()}").ToList();
        Assert.True(serious.Count == 0, $"{name}: " + string.Join("; ", serious));
    }

    private static string Axe =>
        Environment.GetEnvironmentVariable("AUTH_TEST_AXE") is { Length: > 0 } path ? path
            : Path.Combine(DocsTests.RepositoryRoot(), "tests", "axe-check", "node_modules", "axe-core", "axe.min.js");
}
