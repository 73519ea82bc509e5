using AuthServer.Errors;
using AuthServer.Features.Webhooks;
using Microsoft.AspNetCore.Authentication;
using Scalar.AspNetCore;

namespace AuthServer.Features.Admin;

/// <summary>
/// The admin API under /api/v1/admin (API keys, administrators, organizations, users, sessions, passkeys, audit log, mail log), its
/// API key authentication, and the OpenAPI document of every JSON API (/openapi/v1.json; Scalar at /scalar
/// in Development).
/// </summary>
public static class AdminApi
{
    public const string Prefix = "/api/v1/admin";

    /// <summary>Every error an admin call may answer, in the catalog's JSON shape.</summary>
    private static readonly int[] ErrorStatuses = [400, 401, 403, 404, 500, 503];

    public static IServiceCollection AddAdmin(this IServiceCollection services)
    {
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthentication.Scheme, null);
        services.AddAuthorizationBuilder().AddPolicy(ApiKeyAuthentication.Policy, policy => policy
            .AddAuthenticationSchemes(ApiKeyAuthentication.Scheme)
            .RequireAuthenticatedUser());

        services.AddScoped<ApiKeyService>();
        services.AddScoped<AuditLog>();
        services.AddScoped<OrganizationAdmin>();
        services.AddScoped<UserAdmin>();
        services.AddScoped<SessionAdmin>();
        services.AddScoped<PasskeyAdmin>();
        services.AddScoped<MailLog>();
        services.AddScoped<EmailLoginLockAdmin>();
        services.AddScoped<Branding.BrandingAdmin>();

        services.AddOpenApi(options => OpenApiDocumentation.Configure(options));
        return services;
    }

    public static WebApplication MapAdminApi(this WebApplication app)
    {
        var admin = app.MapGroup(Prefix)
            .RequireAuthorization(ApiKeyAuthentication.Policy)
            .DisableAntiforgery()
            .ProducesErrors(ErrorStatuses);
        admin.MapApiKeyAdmin();
        admin.MapAdministratorAdmin();
        admin.MapOrganizationAdmin();
        Branding.BrandingEndpoints.MapBrandingAdmin(admin);
        admin.MapUserAdmin();
        admin.MapSessionAdmin();
        admin.MapPasskeyAdmin();
        Upstream.UpstreamConnectionEndpoints.MapUpstreamConnectionAdmin(admin);
        admin.MapAuditLogAdmin();
        admin.MapMailLogAdmin();
        admin.MapEmailLoginLockAdmin();
        admin.MapKeyAdmin();
        admin.MapWebhookAdmin();
        admin.MapMethods("/{**path}", [HttpMethods.Post, HttpMethods.Put, HttpMethods.Patch], NoEndpointForBody).ExcludeFromDescription();

        app.MapOpenApi();
        if (app.Environment.IsDevelopment())
        {
            app.MapScalarApiReference();
        }

        return app;
    }

    /// <summary>
    /// Routing drops an endpoint whose JSON body the request's Content-Type cannot fill; without this
    /// catch-all, the global /api fallback would answer such a request "no endpoint here" (and before the
    /// key is checked). Here the key is checked first, and the answer names the real problem: 405 for a known
    /// path with another method, 415 for a body that is not JSON.
    /// </summary>
    private static IResult NoEndpointForBody(HttpRequest request, Hosting.Http.RouteMethods routes) =>
        (routes.Explain(request) is { } explained && (explained.Code == ErrorCatalog.MethodNotAllowed.Code || !request.HasJsonContentType())
            ? explained
            : request.HasJsonContentType()
                ? AuthError.EntityMissing("No API endpoint exists at this path.")
                : AuthError.ContentTypeInvalid("application/json")).ToResult();

    /// <summary>Describes error answers as the catalog's body (not ProblemDetails, which this server never sends).</summary>
    public static TBuilder ProducesErrors<TBuilder>(this TBuilder builder, params int[] statuses) where TBuilder : IEndpointConventionBuilder
    {
        foreach (var status in statuses)
        {
            builder.WithMetadata(new ProducesResponseTypeMetadata(status, typeof(ErrorResponses.Body), ["application/json"]));
        }

        return builder;
    }
}
