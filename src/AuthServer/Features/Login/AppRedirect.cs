using AuthServer.Errors;
using Microsoft.AspNetCore.WebUtilities;

namespace AuthServer.Features.Login;

/// <summary>
/// The way back to the app: its redirect_uri with the code or the error, the state, and the issuer
/// (RFC 9207), keeping the query the app put there (such as return_to).
/// </summary>
public static class AppRedirect
{
    public static string WithCode(string redirectUri, string code, string state, string issuer, bool affirm)
    {
        var parameters = new Dictionary<string, string?> { ["code"] = code, ["state"] = state, ["iss"] = issuer };
        if (affirm)
        {
            parameters["affirm"] = "1";
        }

        return QueryHelpers.AddQueryString(redirectUri, parameters);
    }

    /// <summary>
    /// The error in the face's vocabulary: the catalog code on the CentralAuth face, RFC 6749's
    /// access_denied on the standard face (standard clients know only those values).
    /// </summary>
    public static string WithError(Data.Entities.AuthorizationRequest request, AuthError error, string issuer) =>
        request.Face == Data.Entities.AuthorizationFace.OpenIdConnect
            ? QueryHelpers.AddQueryString(request.RedirectUri, new Dictionary<string, string?>
            {
                ["error"] = "access_denied",
                ["error_description"] = error.Message,
                ["state"] = request.State,
                ["iss"] = issuer,
            })
            : WithError(request.RedirectUri, error, request.State, issuer);

    public static string WithError(string redirectUri, AuthError error, string? state, string issuer) =>
        QueryHelpers.AddQueryString(redirectUri, new Dictionary<string, string?>
        {
            ["error"] = error.Code,
            ["error_description"] = error.Message,
            ["state"] = state ?? "",
            ["iss"] = issuer,
        });
}
