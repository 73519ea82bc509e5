namespace AuthServer.Errors;

public static class ApiErrorEndpoints
{
    /// <summary>GET /api/v1/errors, and the entityMissing (or 405, 415) answer for every unknown route under /api.</summary>
    public static IEndpointRouteBuilder MapErrorCatalogApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/errors", () => Results.Json(ErrorCatalog.All.Select(e => new
            {
                code = e.Code,
                status = e.Status,
                description = e.Description,
                retryable = e.Retryable,
            })))
            .WithName("ListErrors")
            .WithSummary("The error catalog: every errorCode the server may answer, with its HTTP status.");

        // A known path asked with another method or content type is 405 or 415, not "no endpoint here".
        app.MapFallback("/api/{**path}", (HttpRequest request, Hosting.Http.RouteMethods routes) =>
                (routes.Explain(request) ?? AuthError.EntityMissing("No API endpoint exists at this path.")).ToResult())
            .ExcludeFromDescription();
        return app;
    }
}
