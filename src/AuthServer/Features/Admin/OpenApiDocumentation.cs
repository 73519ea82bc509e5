using AuthServer.Errors;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace AuthServer.Features.Admin;

/// <summary>
/// The OpenAPI document (/openapi/v1.json) of the JSON APIs: the API key scheme on admin operations, and the
/// catalog's error body on every operation under /api, including the CentralAuth-style ones.
/// </summary>
internal static class OpenApiDocumentation
{
    private const string SecuritySchemeName = "apiKey";

    /// <summary>What the CentralAuth-style endpoints may answer besides success (the admin group declares its own).</summary>
    private static readonly int[] CentralAuthErrorStatuses = [400, 401, 403, 429, 500, 503];

    public static void Configure(OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "AuthServer API";
            document.Info.Description = "The CentralAuth-style API (/api/v1) and the admin API (/api/v1/admin). Every error is "
                + "{ errorCode, message, details?, traceId, retryAfter? }; the catalog of codes is at GET /api/v1/errors.";
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[SecuritySchemeName] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "An admin API key (ak_...), created with `AuthServer apikey create --name <name>` or POST /api/v1/admin/api_keys.",
            };
            return Task.CompletedTask;
        });

        options.AddOperationTransformer(async (operation, context, cancellationToken) =>
        {
            var path = "/" + (context.Description.RelativePath ?? "");
            if (path.StartsWith(AdminApi.Prefix, StringComparison.Ordinal))
            {
                operation.Security ??= [];
                operation.Security.Add(new OpenApiSecurityRequirement
                {
                    [new OpenApiSecuritySchemeReference(SecuritySchemeName, context.Document)] = [],
                });
                return;
            }

            if (!path.StartsWith("/api/", StringComparison.Ordinal) || path == "/api/v1/errors")
            {
                return;
            }

            var schema = await context.GetOrCreateSchemaAsync(typeof(ErrorResponses.Body), null, cancellationToken);
            operation.Responses ??= [];
            foreach (var status in CentralAuthErrorStatuses)
            {
                var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (!operation.Responses.ContainsKey(key))
                {
                    operation.Responses[key] = new OpenApiResponse
                    {
                        Description = "An error of the catalog (GET /api/v1/errors).",
                        Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = schema } },
                    };
                }
            }
        });
    }
}
