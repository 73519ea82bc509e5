using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using AuthServer.Errors;
using AuthServer.Pages;
using AuthServer.Tests.Foundation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Localization;

namespace AuthServer.Tests.Pages;

/// <summary>
/// Every error message a person can read on a page has its Dutch and German translation: the catalog's descriptions
/// and the messages the sign-in features write into their errors (found in the source, as the page would show them).
/// </summary>
public sealed partial class ErrorMessageResourceTests
{
    private static readonly string Source = Path.Combine(DocsTests.RepositoryRoot(), "src", "AuthServer");

    /// <summary>The code a browser's request can reach; the admin API's and JSON-only messages stay English.</summary>
    private static readonly string[] PageFacingFolders =
        ["Features/Login", "Features/Passkeys", "Features/Upstream", "Features/SignIn", "Features/Connect", "Features/Sessions", "Features/Account", "Errors", "Pages", "Hosting"];

    [Fact]
    public void Every_message_a_page_can_show_is_translated_and_no_translation_is_left_over()
    {
        var shown = MessagesShownOnPages();
        Assert.Contains("This code or link was already used.", shown);
        Assert.Contains(ErrorCatalog.EmailLoginLocked.Description, shown);
        foreach (var language in PageLanguage.Supported.Where(l => l != PageLanguage.Fallback))
        {
            var file = Path.Combine(Source, "Pages", $"ErrorMessages.{language}.resx");
            var entries = XDocument.Load(file).Root!.Elements("data").ToDictionary(d => (string)d.Attribute("name")!, d => d.Element("value")!.Value);
            var missing = shown.Where(m => !entries.ContainsKey(m)).Order().ToList();
            Assert.True(missing.Count == 0, $"{file} lacks: {string.Join(" | ", missing)}");
            var leftOver = entries.Keys.Where(k => !shown.Contains(k)).Order().ToList();
            Assert.True(leftOver.Count == 0, $"{file} translates messages no page shows any more: {string.Join(" | ", leftOver)}");
            Assert.DoesNotContain(entries, e => string.IsNullOrWhiteSpace(e.Value) || e.Value == e.Key);
        }
    }

    [Fact]
    public void A_message_is_read_in_the_pages_language_and_an_unknown_one_stays_english()
    {
        var services = new ServiceCollection().AddLogging().AddLocalization().BuildServiceProvider();
        var pages = services.GetRequiredService<IStringLocalizer<PageStrings>>();
        var messages = services.GetRequiredService<IStringLocalizer<ErrorMessages>>();
        string In(string language, string english) => new PageText(pages, CultureInfo.GetCultureInfo(language), null, messages).ErrorMessage(english);

        Assert.Equal("De code is onjuist of niet meer geldig.", In("nl", ErrorCatalog.LoginAttemptInvalid.Description));
        Assert.Equal("Der Code ist falsch oder nicht mehr gültig.", In("de-AT", ErrorCatalog.LoginAttemptInvalid.Description));
        Assert.Equal(ErrorCatalog.LoginAttemptInvalid.Description, In("en", ErrorCatalog.LoginAttemptInvalid.Description));
        Assert.Equal("Something nobody translated.", In("nl", "Something nobody translated."));
    }

    /// <summary>The catalog's descriptions, "This field is required." and the sentences written as literals in AuthError factory calls.</summary>
    private static HashSet<string> MessagesShownOnPages()
    {
        var messages = ErrorCatalog.All.Select(d => d.Description).ToHashSet(StringComparer.Ordinal);
        messages.Add(AuthError.MissingFields("field").Details![0].Message);
        var files = PageFacingFolders
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(Source, folder), "*.cs", SearchOption.AllDirectories))
            .Where(f => !Path.GetFileName(f).Contains("Admin", StringComparison.Ordinal) && Path.GetFileName(f) != "ApiErrorEndpoints.cs");
        foreach (var file in files)
        {
            foreach (Match call in FactoryCall().Matches(File.ReadAllText(file)))
            {
                foreach (Match literal in Sentence().Matches(call.Groups["arguments"].Value))
                {
                    messages.Add(literal.Groups[1].Value.Replace("\\\"", "\"", StringComparison.Ordinal));
                }
            }
        }

        return messages;
    }

    // AuthError.Something(...) up to the end of its statement.
    [GeneratedRegex(@"AuthError\.\w+\((?<arguments>[^;]*)")]
    private static partial Regex FactoryCall();

    // A plain (not interpolated) string literal that is a sentence: a capital first, a full stop last.
    [GeneratedRegex(@"(?<![$\w""])""([A-Z](?:[^""\\\r\n]|\\.)* (?:[^""\\\r\n]|\\.)*\.)""")]
    private static partial Regex Sentence();
}
