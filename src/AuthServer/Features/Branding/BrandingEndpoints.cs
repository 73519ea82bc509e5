using AuthServer.Data;
using AuthServer.Errors;
using AuthServer.Features.Admin;
using AuthServer.Pages;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.OpenApi;

namespace AuthServer.Features.Branding;

public static class BrandingEndpoints
{
    /// <summary>Under /api/v1/admin: read and replace an organization's branding, upload or remove its logo, list the string keys.</summary>
    public static RouteGroupBuilder MapBrandingAdmin(this RouteGroupBuilder admin)
    {
        var branding = admin.MapGroup("/organizations/{id:guid}/branding").WithTags("Branding");
        branding.MapGet("", GetAsync).WithName("GetBranding").WithSummary("Gets the organization's branding.");
        branding.MapPut("", ReplaceAsync).WithName("ReplaceBranding")
            .WithSummary("Replaces display name, logo URL, accent colour (contrast-checked), support email or URL, default language and string overrides; absent fields are unset. The uploaded logo stays.");
        branding.MapPut("/logo", UploadLogoAsync).WithName("UploadLogo")
            // Described for the OpenAPI document only: routing must not answer 415 for another declared type,
            // because the bytes decide (an SVG sent as image/svg+xml is refused as entityInvalid like one sent as image/png).
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                operation.RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Description = "The image itself.",
                    Content = LogoImage.ContentTypes.ToDictionary(type => type, _ => new OpenApiMediaType
                    {
                        Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" },
                    }),
                };
                return Task.CompletedTask;
            })
            .WithSummary($"Uploads the logo: the body is the image, PNG, JPEG or WebP (checked by its bytes; SVG refused), at most {LogoImage.MaxBytes / 1024} KB.");
        branding.MapDelete("/logo", DeleteLogoAsync).WithName("DeleteLogo").WithSummary("Removes the uploaded logo.");
        admin.MapGet("/branding/keys", Keys).WithTags("Branding").WithName("ListBrandingKeys")
            .WithSummary("The keys of every page and email string, with their English text: what branding string overrides may replace.");
        return admin;
    }

    /// <summary>Public: the uploaded logo at its content-addressed URL, and the accent stylesheet. Cached for a year.</summary>
    public static IEndpointRouteBuilder MapBrandingAssets(this IEndpointRouteBuilder app)
    {
        var assets = app.MapGroup(BrandingUrls.Prefix).ExcludeFromDescription();
        assets.MapGet("/{organizationId:guid}/logo/{hash}", LogoAsync);
        assets.MapGet("/theme/{colors}", Theme);
        return app;
    }

    private static async Task<Results<Ok<BrandingView>, AdminError>> GetAsync(Guid id, AdminCaller caller, BrandingAdmin branding, CancellationToken cancellationToken) =>
        (await branding.GetAsync(caller, id, cancellationToken)).RespondOk();

    private static async Task<Results<Ok<BrandingView>, AdminError>> ReplaceAsync(Guid id, BrandingRequest? body, AdminCaller caller, BrandingAdmin branding, CancellationToken cancellationToken) =>
        (await branding.ReplaceAsync(caller, id, body, cancellationToken)).RespondOk();

    private static async Task<Results<Ok<BrandingView>, AdminError>> UploadLogoAsync(Guid id, HttpRequest request, AdminCaller caller, BrandingAdmin branding, CancellationToken cancellationToken) =>
        (await branding.UploadLogoAsync(caller, id, request, cancellationToken)).RespondOk();

    private static async Task<Results<Ok<BrandingView>, AdminError>> DeleteLogoAsync(Guid id, AdminCaller caller, BrandingAdmin branding, CancellationToken cancellationToken) =>
        (await branding.DeleteLogoAsync(caller, id, cancellationToken)).RespondOk();

    private static Ok<IReadOnlyDictionary<string, string>> Keys(PageContextFactory pages) => TypedResults.Ok(pages.EnglishStrings);

    private static async Task<IResult> LogoAsync(Guid organizationId, string hash, AuthDbContext db, HttpContext context, CancellationToken cancellationToken)
    {
        var logo = await db.OrganizationLogos.AsNoTracking()
            .Where(l => l.OrganizationId == organizationId && l.Hash == hash)
            .Select(l => new { l.ContentType, l.Content })
            .SingleOrDefaultAsync(cancellationToken);
        if (logo is null)
        {
            return AuthError.EntityMissing("No logo at this address.").ToResult();
        }

        Immutable(context.Response);
        return TypedResults.File(logo.Content, logo.ContentType);
    }

    private static IResult Theme(string colors, HttpContext context)
    {
        if (BrandingTheme.Stylesheet(colors) is not { } css)
        {
            return AuthError.EntityMissing("No stylesheet at this address.").ToResult();
        }

        Immutable(context.Response);
        return TypedResults.Text(css, "text/css; charset=utf-8");
    }

    /// <summary>The URL names the content, so it never changes: cache for a year; never sniffed as anything else.</summary>
    private static void Immutable(HttpResponse response)
    {
        response.Headers.CacheControl = "public, max-age=31536000, immutable";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.ContentSecurityPolicy = "default-src 'none'; sandbox";
    }
}
