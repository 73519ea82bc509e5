using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace AuthServer.Tests.Infrastructure;

/// <summary>
/// Waiting for a page to be at an address. Not <c>IPage.WaitForURLAsync</c>: in Playwright for .NET it checks
/// whether the page has loaded and only then listens for the load event, so a load that lands in between is
/// lost and the wait runs out on a page already at its address and loaded (microsoft/playwright-dotnet#3364;
/// seen here as a 30 s timeout, the trail showing the callback loaded 30 ms after the click). The assertion
/// below polls the address in the driver instead, with no event to miss. It does not wait for the page's load
/// event: what a test does next on the page (a locator, an assertion) waits for what it needs.
/// </summary>
public static class PageAddress
{
    /// <param name="pattern">
    /// The whole address, where <c>**</c> stands for anything (also across slashes, even beside a <c>?</c>, as
    /// in <c>callback?**</c>) and <c>*</c> for anything but a slash; every other character is itself.
    /// </param>
    public static Task WaitForAddressAsync(this IPage page, string pattern, float timeout = 30_000) =>
        Assertions.Expect(page).ToHaveURLAsync(ToRegex(pattern), new() { Timeout = timeout });

    internal static Regex ToRegex(string pattern) =>
        new("^" + Regex.Escape(pattern).Replace(@"\*\*", ".*", StringComparison.Ordinal).Replace(@"\*", "[^/]*", StringComparison.Ordinal) + "$");
}
