using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Localization;

namespace AuthServer.Pages;

/// <summary>
/// The strings of one page or email in one language. A key is looked up in the app's <c>translations</c>
/// (CentralAuth face), then the organization's overrides for this language, then the resource file of the
/// language (which falls back to English). Values are plain text: components output them encoded.
/// </summary>
public sealed class PageText(IStringLocalizer<PageStrings> localizer, CultureInfo culture, IReadOnlyDictionary<string, string>? overrides = null,
    IStringLocalizer<ErrorMessages>? errorMessages = null)
{
    public CultureInfo Culture => culture;

    /// <summary>An error message in this language (<see cref="ErrorMessages"/>): its translation, else the English text.</summary>
    public string ErrorMessage(string english) => errorMessages is null ? english : InCulture(() => errorMessages[english]);

    public string this[string key]
    {
        get
        {
            if (overrides is not null && overrides.TryGetValue(key, out var overridden))
            {
                return overridden;
            }

            return InCulture(() => localizer[key]);
        }
    }

    /// <summary>A localizer reads the current UI culture; the page's language is set for the lookup only.</summary>
    private string InCulture(Func<LocalizedString> lookup)
    {
        var previous = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = culture;
        try
        {
            return lookup();
        }
        finally
        {
            CultureInfo.CurrentUICulture = previous;
        }
    }

    /// <summary>The string with its <c>{name}</c> placeholders filled (a placeholder given no value stays, for <see cref="Sentence"/>).</summary>
    public string Format(string key, params (string Name, string Value)[] values)
    {
        var text = this[key];
        foreach (var (name, value) in values)
        {
            text = text.Replace("{" + name + "}", value, StringComparison.Ordinal);
        }

        return text;
    }

    /// <summary>A duration in words in this language ("10 minutes", "1 Stunde"), from the real setting.</summary>
    public string Duration(TimeSpan duration)
    {
        // Keys written out, so the resource test sees each of them.
        var (count, one, other) = duration switch
        {
            { TotalDays: >= 1 } when duration.TotalDays % 1 == 0 => ((int)duration.TotalDays, "duration.day.one", "duration.day.other"),
            { TotalHours: >= 1 } when duration.TotalHours % 1 == 0 => ((int)duration.TotalHours, "duration.hour.one", "duration.hour.other"),
            { TotalMinutes: >= 1 } when duration.TotalSeconds % 60 == 0 => ((int)duration.TotalMinutes, "duration.minute.one", "duration.minute.other"),
            { TotalMinutes: >= 60 } => ((int)Math.Round(duration.TotalMinutes), "duration.minute.one", "duration.minute.other"),
            _ => ((int)Math.Max(1, Math.Round(duration.TotalSeconds)), "duration.second.one", "duration.second.other"),
        };
        return Format(count == 1 ? one : other, ("count", count.ToString("N0", culture)));
    }

    /// <summary>Reads the app's <c>translations</c> parameter (JSON object of key → text); JSON null values are ignored.</summary>
    public static IReadOnlyDictionary<string, string>? ParseOverrides(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }

        var values = JsonSerializer.Deserialize<Dictionary<string, string?>>(json) ?? [];
        return values.Where(v => v.Value is not null).ToDictionary(v => v.Key, v => v.Value!);
    }

    /// <summary>Overrides applied in order, the first holding a key winning.</summary>
    public static IReadOnlyDictionary<string, string>? Combine(params IReadOnlyDictionary<string, string>?[] layers)
    {
        var present = layers.Where(l => l is { Count: > 0 }).ToArray();
        if (present.Length == 0)
        {
            return null;
        }

        var combined = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var layer in present.Reverse())
        {
            foreach (var (key, value) in layer!)
            {
                combined[key] = value;
            }
        }

        return combined;
    }
}
