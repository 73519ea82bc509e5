using System.Security.Cryptography;
using System.Text;
using AuthServer.Errors;
using AuthServer.Features.CentralAuthApi;
using AuthServer.Features.Login;
using AuthServer.Features.Organizations;
using AuthServer.Hosting;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace AuthServer.Features.AdminConsole;

/// <summary>
/// The console signs its administrators in as an app of the system organization on the CentralAuth face:
/// /admin/signin sends the browser to the hosted login page (state and PKCE S256), /admin/callback exchanges
/// the code through <see cref="CodeExchangeService"/> (what /api/v1/verify runs) and keeps the access token in
/// the console's cookie. The login rules (email code or link, passkey, rate limits, blocked users, no sign-up)
/// are the login page's; nothing here repeats them.
/// </summary>
public static class ConsoleSignInEndpoints
{
    public static void MapConsoleSignIn(this IEndpointRouteBuilder app)
    {
        app.MapGet(ConsoleRoutes.SignIn, SignIn).ExcludeFromDescription();
        app.MapGet(ConsoleRoutes.Callback, CallbackAsync).ExcludeFromDescription();
        app.MapGet(ConsoleRoutes.SignedOut, () => ConsoleResults.Message(ConsoleMessageKind.SignedOut, StatusCodes.Status200OK, null)).ExcludeFromDescription();
    }

    private static IResult SignIn(HttpContext context, string? returnTo, ConsoleCookies cookies, IOptions<ServerOptions> server)
    {
        var state = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        var verifier = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        cookies.IssueSignIn(context, new ConsoleSignInState(state, verifier, ConsoleRoutes.SafeReturnTo(returnTo)));
        var login = QueryHelpers.AddQueryString(server.Value.PublicBaseUri + "login", new Dictionary<string, string?>
        {
            ["client_id"] = SystemOrganization.Id.ToString(),
            ["redirect_uri"] = CallbackUrl(server.Value),
            ["response_type"] = "code",
            ["state"] = state,
            ["code_challenge"] = Pkce.ChallengeOf(verifier),
            ["code_challenge_method"] = "S256",
        });
        return Results.Redirect(login);
    }

    private static async Task<IResult> CallbackAsync(HttpContext context, string? code, string? state, string? error, ConsoleCookies cookies,
        OrganizationCache organizations, CodeExchangeService exchange, IOptions<ServerOptions> server, CancellationToken cancellationToken)
    {
        var started = cookies.ReadSignIn(context);
        if (started is null)
        {
            // Expired or never started here (a callback opened in another browser): start again.
            return Results.Redirect(ConsoleRoutes.SignIn);
        }

        if (state is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(state), Encoding.UTF8.GetBytes(started.State)))
        {
            return ConsoleResults.Message(ConsoleMessageKind.SignInFailed, StatusCodes.Status400BadRequest, ErrorCatalog.StateInvalid.Code);
        }

        cookies.ClearSignIn(context);
        if (!string.IsNullOrEmpty(error) || string.IsNullOrEmpty(code))
        {
            // The login page sent back the catalog's errorCode (e.g. userCreationDisabled for a person who is no administrator).
            return ConsoleResults.Message(ConsoleMessageKind.SignInFailed, StatusCodes.Status400BadRequest, Truncate(error ?? ErrorCatalog.TokenMissing.Code));
        }

        var organization = await organizations.FindAsync(SystemOrganization.Id, cancellationToken);
        if (organization is null)
        {
            return ConsoleResults.Message(ConsoleMessageKind.SignInFailed, StatusCodes.Status503ServiceUnavailable, ErrorCatalog.OrganizationIdMissing.Code);
        }

        var tokens = await exchange.ExchangeAsync(organization, code, CallbackUrl(server.Value), started.Verifier, cancellationToken);
        if (tokens.Failed)
        {
            return ConsoleResults.Message(ConsoleMessageKind.SignInFailed, StatusCodes.Status400BadRequest, tokens.Error!.Code);
        }

        cookies.IssueSession(context, tokens.Value!.AccessToken);
        return Results.Redirect(ConsoleRoutes.SafeReturnTo(started.ReturnTo));
    }

    private static string CallbackUrl(ServerOptions server) => server.PublicBaseUri + ConsoleRoutes.Callback.TrimStart('/');

    private static string Truncate(string value) => value.Length <= 64 ? value : value[..64];
}
