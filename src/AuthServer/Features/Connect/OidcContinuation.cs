using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.WebUtilities;

namespace AuthServer.Features.Connect;

/// <summary>Where the hosted login page sends the browser back to once a /connect/authorize request has a session.</summary>
public static class OidcContinuation
{
    /// <summary>
    /// The original authorization request again, without prompt and max_age: the person has just signed in,
    /// which is what those asked for, and replaying them would ask again forever.
    /// </summary>
    public static string AuthorizeUrl(string? protocolQuery)
    {
        var query = new QueryBuilder();
        foreach (var (key, values) in QueryHelpers.ParseQuery(protocolQuery))
        {
            if (key is "prompt" or "max_age")
            {
                continue;
            }

            foreach (var value in values)
            {
                query.Add(key, value ?? "");
            }
        }

        return "/connect/authorize" + query.ToQueryString();
    }
}
