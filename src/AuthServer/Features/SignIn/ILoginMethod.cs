using AuthServer.Data.Entities;
using AuthServer.Features.Login.Page;
using AuthServer.Features.Organizations;

namespace AuthServer.Features.SignIn;

/// <summary>
/// A way to prove who one is (an emailed code or link, a passkey; upstream providers next). A method owns its
/// endpoints, its fragment of the login page, the <c>amr</c> of the sessions it starts and its audit action;
/// it ends in <see cref="SignInCompleter"/>. Adding a method is a new folder with one of these, registered with
/// <see cref="LoginMethodRegistration.AddLoginMethod{T}"/>: neither the page nor the completer changes.
/// </summary>
public interface ILoginMethod
{
    /// <summary>Short name, used in logs and as the audit action's suffix ("email", "passkey").</summary>
    string Name { get; }

    /// <summary>The amr value (RFC 8176) of the sessions this method starts.</summary>
    string Amr { get; }

    /// <summary>Where the page shows this method's fragment, lowest first.</summary>
    int Order { get; }

    /// <summary>Whether the page may offer this method to this organization's request.</summary>
    bool IsEnabled(CachedOrganization organization, AuthorizationRequest request);

    /// <summary>The method's endpoints (form posts, script calls).</summary>
    void MapEndpoints(IEndpointRouteBuilder app);

    /// <summary>
    /// The method's part of the page's first step: a Razor component deriving from <see cref="LoginMethodFragment"/>
    /// (it gets the <see cref="LoginPageModel"/>, the page's strings and the "or" divider to draw when other methods
    /// follow). Its strings are keys of the page resources (Pages/PageStrings*.resx), in every language.
    /// </summary>
    Type Fragment { get; }
}

/// <summary>The registered login methods, in page order.</summary>
public sealed class LoginMethods(IEnumerable<ILoginMethod> methods)
{
    private readonly ILoginMethod[] _methods = [.. methods.OrderBy(m => m.Order)];

    public IReadOnlyList<ILoginMethod> All => _methods;

    public IReadOnlyList<ILoginMethod> EnabledFor(CachedOrganization organization, AuthorizationRequest request) =>
        [.. _methods.Where(m => m.IsEnabled(organization, request))];

    public bool AnyEnabled(CachedOrganization organization, AuthorizationRequest request) =>
        _methods.Any(m => m.IsEnabled(organization, request));

    /// <summary>The audit action of a sign-in by this method ("signin.email").</summary>
    public static string AuditAction(ILoginMethod method) => "signin." + method.Name;
}

public static class LoginMethodRegistration
{
    public static IServiceCollection AddLoginMethod<T>(this IServiceCollection services) where T : class, ILoginMethod
    {
        services.AddSingleton<T>();
        services.AddSingleton<ILoginMethod>(provider => provider.GetRequiredService<T>());
        return services;
    }

    /// <summary>Maps every registered method's endpoints.</summary>
    public static IEndpointRouteBuilder MapLoginMethods(this IEndpointRouteBuilder app)
    {
        foreach (var method in app.ServiceProvider.GetRequiredService<LoginMethods>().All)
        {
            method.MapEndpoints(app);
        }

        return app;
    }
}
