using AuthServer.Errors;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.AspNetCore.Routing.Template;

namespace AuthServer.Hosting.Http;

/// <summary>
/// Why no endpoint took a request whose path is known: another method (405 with Allow) or another content
/// type (415). Routing answers those itself, except where a catch-all (the /api fallback, the admin API's
/// body catch-all) matches first; those ask here. Only error paths call it, so it matches the templates
/// one by one.
/// </summary>
public sealed class RouteMethods(EndpointDataSource endpoints)
{
    private readonly Lazy<IReadOnlyList<(TemplateMatcher Matcher, Endpoint Endpoint)>> routes = new(() => endpoints.Endpoints
        .OfType<RouteEndpoint>()
        .Where(e => !e.RoutePattern.Parameters.Any(p => p.IsCatchAll))
        .Select(e => (new TemplateMatcher(TemplateParser.Parse(e.RoutePattern.RawText ?? RoutePatternText(e.RoutePattern)), new RouteValueDictionary()), (Endpoint)e))
        .ToList());

    /// <summary>405 or 415 when the path is known with other methods or content types; null when it is not known at all.</summary>
    public AuthError? Explain(HttpRequest request)
    {
        var matching = routes.Value.Where(r => r.Matcher.TryMatch(request.Path, new RouteValueDictionary())).Select(r => r.Endpoint).ToList();
        if (matching.Count == 0)
        {
            return null;
        }

        var methods = matching.Select(e => e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods).ToList();
        if (methods.All(m => m is { Count: > 0 }) && !methods.Any(m => m!.Contains(request.Method, StringComparer.OrdinalIgnoreCase)))
        {
            return AuthError.MethodNotAllowed(methods.SelectMany(m => m!).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal).ToList());
        }

        // The method is fine: a content type problem only if the endpoints for this method all want another one.
        var forMethod = matching.Where(e => e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods is not { Count: > 0 } methods
            || methods.Contains(request.Method, StringComparer.OrdinalIgnoreCase)).ToList();
        var accepts = forMethod.Select(e => e.Metadata.GetMetadata<IAcceptsMetadata>()).ToList();
        if (accepts.Count == 0 || accepts.Any(a => a is null || a.ContentTypes.Count == 0))
        {
            return null;
        }

        var sent = request.ContentType ?? "";
        return accepts.SelectMany(a => a!.ContentTypes).Any(type => sent.StartsWith(type, StringComparison.OrdinalIgnoreCase))
            ? null
            : AuthError.ContentTypeInvalid(string.Join(" or ", accepts.SelectMany(a => a!.ContentTypes).Distinct()));
    }

    private static string RoutePatternText(RoutePattern pattern) =>
        "/" + string.Join("/", pattern.PathSegments.Select(s => string.Concat(s.Parts.Select(p => p switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternParameterPart parameter => "{" + parameter.Name + "}",
            _ => "",
        }))));
}
