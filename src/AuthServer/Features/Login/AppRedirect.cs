using Microsoft.AspNetCore.WebUtilities;

namespace AuthServer.Features.Login;

/// <summary>
/// The way back to the app: its redirect_uri with the code or the error, the state, and the issuer
/// (RFC 9207), keeping the query the app put there (such as return_to). Each face picks the values.
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

    public static string WithError(string redirectUri, string error, string description, string? state, string issuer)
    {
        var parameters = new Dictionary<string, string?> { ["error"] = error, ["error_description"] = description };
        // Note: RFC 6749 §4.1.2.1 returns state only when the request carried one.
        if (!string.IsNullOrEmpty(state))
        {
            parameters["state"] = state;
        }

        parameters["iss"] = issuer;
        return QueryHelpers.AddQueryString(redirectUri, parameters);
    }
}
