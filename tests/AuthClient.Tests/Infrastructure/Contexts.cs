using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace AuthServer.AuthClientTests.Infrastructure;

/// <summary>Requests for calling the library directly (without the app's endpoints).</summary>
public static class Contexts
{
    public static DefaultHttpContext Request(string url, IReadOnlyDictionary<string, string>? cookies = null, string? bearer = null,
        string userAgent = ClientFixture.UserAgent)
    {
        var uri = new Uri(url);
        var context = new DefaultHttpContext();
        context.Request.Method = HttpMethods.Get;
        context.Request.Scheme = uri.Scheme;
        context.Request.Host = new HostString(uri.Authority);
        context.Request.Path = uri.AbsolutePath;
        context.Request.QueryString = new QueryString(uri.Query);
        context.Request.Headers.UserAgent = userAgent;
        context.Connection.RemoteIpAddress = IPAddress.Loopback;
        if (cookies is { Count: > 0 })
        {
            context.Request.Headers.Cookie = string.Join("; ", cookies.Select(c => $"{c.Key}={Uri.EscapeDataString(c.Value)}"));
        }

        if (bearer is not null)
        {
            context.Request.Headers.Authorization = "Bearer " + bearer;
        }

        return context;
    }

    /// <summary>The cookies a response sets (name to value; deleted cookies have an empty value).</summary>
    public static Dictionary<string, string> CookiesSet(HttpResponse response) =>
        SetCookieHeaderValue.ParseList(response.Headers.SetCookie.Select(v => v!).ToList())
            .ToDictionary(c => c.Name.ToString(), c => Uri.UnescapeDataString(c.Value.ToString()));

    public static SetCookieHeaderValue SetCookie(HttpResponse response, string name) =>
        SetCookieHeaderValue.ParseList(response.Headers.SetCookie.Select(v => v!).ToList()).Single(c => c.Name == name);

    public static string RedirectUrl(IResult result) => Assert.IsType<RedirectHttpResult>(result).Url;
}
