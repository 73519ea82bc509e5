using System.Text.Json;
using AuthServer.Hosting.Telemetry;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace AuthServer.Features.Tokens.Refresh;

/// <summary>
/// In front of OpenIddict on POST /connect/token: a well-formed refresh-token request is rotated directly by
/// <see cref="RefreshTokenRotation"/>; every other request, and every refresh the rotation does not accept,
/// continues to OpenIddict as if this were not here (the form stays buffered for it to read again).
/// </summary>
public sealed class RefreshGrantMiddleware(RequestDelegate next)
{
    public const string TokenPath = "/connect/token";

    public async Task InvokeAsync(HttpContext context, RefreshTokenRotation rotation)
    {
        var request = context.Request;
        if (!request.Path.Equals(TokenPath, StringComparison.OrdinalIgnoreCase) || !RefreshGrantRequest.IsCandidate(request))
        {
            await next(context);
            return;
        }

        var form = await request.ReadFormAsync(context.RequestAborted);
        var grant = RefreshGrantRequest.TryRead(form, request.Headers.Authorization);
        var rotated = grant is null ? null : await rotation.TryRotateAsync(grant, context.RequestAborted);
        if (rotated is null)
        {
            await next(context);
            return;
        }

        AuthMetrics.TokenIssued(GrantTypes.RefreshToken);
        await WriteAsync(context.Response, rotated);
    }

    /// <summary>RFC 6749 §5.1, with the headers OpenIddict sends on its token responses.</summary>
    private static async Task WriteAsync(HttpResponse response, RefreshGrantResponse rotated)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json;charset=UTF-8";
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
        await using var json = new Utf8JsonWriter(response.BodyWriter);
        json.WriteStartObject();
        json.WriteString(Parameters.AccessToken, rotated.AccessToken);
        json.WriteString(Parameters.TokenType, TokenTypes.Bearer);
        json.WriteNumber(Parameters.ExpiresIn, rotated.ExpiresIn);
        json.WriteString(Parameters.Scope, rotated.Scope);
        json.WriteString(Parameters.RefreshToken, rotated.RefreshToken);
        json.WriteEndObject();
        await json.FlushAsync();
    }
}
