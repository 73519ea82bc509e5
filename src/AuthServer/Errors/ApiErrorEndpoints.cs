namespace AuthServer.Errors;

public static class ApiErrorEndpoints
{
    /// <summary>GET /api/v1/errors, and the entityMissing answer for every unknown route under /api.</summary>
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

        app.MapFallback("/api/{**path}", () => AuthError.EntityMissing("No API endpoint exists at this path.").ToResult())
            .ExcludeFromDescription();
        return app;
    }
}
