using System.Text.Encodings.Web;
using System.Text.Unicode;
using AuthServer.Errors;

namespace AuthServer.Pages;

public static class PagesSetup
{
    /// <summary>Rendering of pages and emails as Razor components, their strings (en, nl, de) and the error page.</summary>
    public static IServiceCollection AddPages(this IServiceCollection services)
    {
        services.AddLocalization();
        // HtmlRenderer encodes with the registered HtmlEncoder: the default one escapes every non-ASCII letter
        // (&#xFC; for ü), which is safe but unreadable in Dutch and German sources and emails. Allowing all
        // Unicode ranges still escapes < > & " ' and control characters.
        services.AddSingleton(HtmlEncoder.Create(UnicodeRanges.All));
        services.AddSingleton<PageRenderer>();
        services.AddSingleton<PageContextFactory>();
        // Scoped: the components it renders resolve their services (the framework's are scoped) from the provider
        // it is given, which must be a request's, never the root one.
        services.AddScoped<Features.Login.Email.LoginEmailComposer>();
        // The sign-in email takes the language of the browser that asked for it.
        services.AddHttpContextAccessor();
        services.AddSingleton<IErrorPageRenderer, StandardPages>();
        return services;
    }
}
