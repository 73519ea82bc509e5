namespace AuthServer.Pages;

/// <summary>
/// The marker type of the pages' and emails' strings: <c>PageStrings.resx</c> (English, the fallback),
/// <c>PageStrings.nl.resx</c> and <c>PageStrings.de.resx</c>, read through <c>IStringLocalizer&lt;PageStrings&gt;</c>.
/// A component asks <see cref="PageText"/> for a key as a string literal (<c>Page.Text["emailAddress"]</c>), so
/// <c>PageResourceTests</c> can find every key the components use and check each resource file has it.
/// </summary>
public sealed class PageStrings;
