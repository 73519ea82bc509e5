using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using AuthServer.Pages;
using AuthServer.Tests.Foundation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Localization;

namespace AuthServer.Tests.Pages;

/// <summary>
/// Every string key the components and their callers use exists in every language's resource file, and every
/// language has exactly the keys English has (no forgotten translation, no leftover).
/// </summary>
public sealed partial class PageResourceTests
{
    private static readonly string Source = Path.Combine(DocsTests.RepositoryRoot(), "src", "AuthServer");

    [Fact]
    public void Every_key_used_by_a_component_is_in_every_resource_file()
    {
        var used = UsedKeys();
        Assert.True(used.Count > 20, $"Only {used.Count} keys found: the scan no longer sees the components' keys.");
        Assert.Contains("codeSent", used);
        Assert.Contains("duration.minute.other", used);
        foreach (var language in PageLanguage.Supported)
        {
            var keys = ResourceKeys(language);
            var missing = used.Where(key => !keys.Contains(key)).Order().ToList();
            Assert.True(missing.Count == 0, $"{ResourceFile(language)} lacks {string.Join(", ", missing)}");
        }
    }

    [Fact]
    public void Every_language_has_the_keys_of_English_and_no_empty_value()
    {
        var english = ResourceKeys("en");
        foreach (var language in PageLanguage.Supported.Where(l => l != "en"))
        {
            var keys = ResourceKeys(language);
            Assert.Empty(english.Except(keys));
            Assert.Empty(keys.Except(english));
            Assert.DoesNotContain(XDocument.Load(ResourceFile(language)).Root!.Elements("data"), d => string.IsNullOrWhiteSpace(d.Element("value")?.Value));
        }
    }

    [Fact]
    public void Each_language_is_read_through_the_localizer_with_its_placeholders()
    {
        var services = new ServiceCollection().AddLogging().AddLocalization().BuildServiceProvider();
        var localizer = services.GetRequiredService<IStringLocalizer<PageStrings>>();
        var english = new PageText(localizer, CultureInfo.GetCultureInfo("en"));
        foreach (var language in PageLanguage.Supported)
        {
            var text = new PageText(localizer, CultureInfo.GetCultureInfo(language));
            Assert.Equal(Placeholders(english["codeSent"]), Placeholders(text["codeSent"]));
            if (language != "en")
            {
                Assert.NotEqual(english["emailAddress"], text["emailAddress"]);
            }
        }

        Assert.Equal("E-mailadres", new PageText(localizer, CultureInfo.GetCultureInfo("nl"))["emailAddress"]);
        Assert.Equal("10 Minuten", new PageText(localizer, CultureInfo.GetCultureInfo("de")).Duration(TimeSpan.FromMinutes(10)));
        Assert.Equal("1 uur", new PageText(localizer, CultureInfo.GetCultureInfo("nl")).Duration(TimeSpan.FromHours(1)));
        Assert.Equal("90 seconds", english.Duration(TimeSpan.FromSeconds(90)));
    }

    /// <summary>Keys written as literals inside <c>Text[...]</c> or as the first argument of <c>Text.Format(...)</c>, plus the duration keys.</summary>
    private static HashSet<string> UsedKeys()
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var files = Directory.EnumerateFiles(Source, "*.razor", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(Source, "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"));
        foreach (var file in files)
        {
            var source = File.ReadAllText(file);
            foreach (Match duration in DurationKey().Matches(source))
            {
                keys.Add(duration.Groups[1].Value);
            }

            foreach (Match use in KeyUse().Matches(source))
            {
                foreach (Match literal in Literal().Matches(use.Groups["inside"].Value))
                {
                    keys.Add(literal.Groups[1].Value);
                }
            }
        }

        return keys;
    }

    private static HashSet<string> ResourceKeys(string language) =>
        XDocument.Load(ResourceFile(language)).Root!.Elements("data").Select(d => (string)d.Attribute("name")!).ToHashSet(StringComparer.Ordinal);

    private static string ResourceFile(string language) =>
        Path.Combine(Source, "Pages", language == PageLanguage.Fallback ? "PageStrings.resx" : $"PageStrings.{language}.resx");

    private static string[] Placeholders(string text) => [.. Regex.Matches(text, @"\{[a-z]+\}").Select(m => m.Value).Order()];

    // Text["key"], text[a ? "b" : "c"] and Text.Format("key", ...) (or Text.Format(a ? "b" : "c", ...)).
    [GeneratedRegex(@"(?:[Tt]ext\[(?<inside>[^\]\r\n]*)\])|(?:[Tt]ext\.Format\((?<inside>[^,\r\n]*),)")]
    private static partial Regex KeyUse();

    // PageText.Duration picks its keys in a switch, written out.
    [GeneratedRegex(@"""(duration\.[a-z]+\.(?:one|other))""")]
    private static partial Regex DurationKey();

    [GeneratedRegex(@"""([A-Za-z][A-Za-z0-9.]*)""")]
    private static partial Regex Literal();
}
