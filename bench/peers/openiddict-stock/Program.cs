// Benchmark peer (issue 11): a stock OpenIddict 7.8 server on EF Core + PostgreSQL, set up the way OpenIddict's
// documentation and samples set up a client_credentials server: the default EF Core stores and entities, default
// client-secret hashing (the application manager's PBKDF2), default token storage (a token row per token),
// RS256 signing with a key generated at start, client_credentials + introspection, a passthrough token endpoint
// that signs in a principal for the client. One confidential client is seeded at start.
// For the stateful flows (issue 24) a second client, CLIENTID-code, uses the authorization code flow with PKCE and
// rotating refresh tokens (OpenIddict's default), and the userinfo endpoint answers with the token's claims, as the
// samples' Authorization and Userinfo controllers do. A stock server has no login UI of its own (the samples use
// ASP.NET Core Identity's); here the authorization endpoint signs the bench user in at once, as oidc-provider's
// bench interaction does, so both peers measure the protocol work and not a login form.
//
// Configuration (environment): ConnectionStrings__Peer, Peer__ClientId, Peer__ClientSecret, ASPNETCORE_URLS.
// Two choices differ from the bare defaults, both to do the same work as the other servers in the comparison:
// access tokens are plain RS256 JWTs (DisableAccessTokenEncryption, as OpenIddict's docs show for resource
// servers that validate JWTs themselves), and HTTP is allowed on loopback (DisableTransportSecurityRequirement).
using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

var builder = WebApplication.CreateBuilder(args);
var connectionString = builder.Configuration.GetConnectionString("Peer")
    ?? throw new InvalidOperationException("ConnectionStrings__Peer is not set");

builder.Services.AddDbContext<PeerDbContext>(options =>
{
    options.UseNpgsql(connectionString);
    options.UseOpenIddict();
});

builder.Services.AddOpenIddict()
    .AddCore(options => options.UseEntityFrameworkCore().UseDbContext<PeerDbContext>())
    .AddServer(options =>
    {
        options.SetTokenEndpointUris("connect/token")
            .SetIntrospectionEndpointUris("connect/introspect")
            .SetAuthorizationEndpointUris("connect/authorize")
            .SetUserInfoEndpointUris("connect/userinfo");
        options.AllowClientCredentialsFlow()
            .AllowAuthorizationCodeFlow()
            .AllowRefreshTokenFlow()
            .RequireProofKeyForCodeExchange();
        options.RegisterScopes("api", Scopes.OpenId, Scopes.Email, Scopes.OfflineAccess);
        options.AddEphemeralEncryptionKey()
            .AddEphemeralSigningKey();
        options.DisableAccessTokenEncryption();
        options.UseAspNetCore()
            .EnableTokenEndpointPassthrough()
            .EnableAuthorizationEndpointPassthrough()
            .EnableUserInfoEndpointPassthrough()
            .DisableTransportSecurityRequirement();
    });

var app = builder.Build();

// Seed at start, as the samples' hosted "Worker" does.
await using (var scope = app.Services.CreateAsyncScope())
{
    var db = scope.ServiceProvider.GetRequiredService<PeerDbContext>();
    await db.Database.EnsureCreatedAsync();
    var manager = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
    var clientId = app.Configuration["Peer:ClientId"] ?? "bench-client";
    if (await manager.FindByClientIdAsync(clientId) is null)
    {
        await manager.CreateAsync(new OpenIddictApplicationDescriptor
        {
            ClientId = clientId,
            ClientSecret = app.Configuration["Peer:ClientSecret"] ?? throw new InvalidOperationException("Peer__ClientSecret is not set"),
            ClientType = ClientTypes.Confidential,
            DisplayName = "Benchmark client",
            Permissions =
            {
                Permissions.Endpoints.Token,
                Permissions.Endpoints.Introspection,
                Permissions.GrantTypes.ClientCredentials,
                Permissions.Prefixes.Scope + "api",
            },
        });
    }

    if (await manager.FindByClientIdAsync(clientId + "-code") is null)
    {
        await manager.CreateAsync(new OpenIddictApplicationDescriptor
        {
            ClientId = clientId + "-code",
            ClientSecret = app.Configuration["Peer:ClientSecret"],
            ClientType = ClientTypes.Confidential,
            DisplayName = "Benchmark code-flow client",
            RedirectUris = { new Uri("https://app.example.com/callback") },
            Permissions =
            {
                Permissions.Endpoints.Authorization,
                Permissions.Endpoints.Token,
                Permissions.GrantTypes.AuthorizationCode,
                Permissions.GrantTypes.RefreshToken,
                Permissions.ResponseTypes.Code,
                Permissions.Scopes.Email,
                Permissions.Prefixes.Scope + Scopes.OfflineAccess,
            },
            Requirements = { Requirements.Features.ProofKeyForCodeExchange },
        });
    }
}

// The bench user signs in at once (no login UI in a stock server; see the header).
app.MapGet("/connect/authorize", (HttpContext context) =>
{
    var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("no OpenID Connect request");
    var identity = new ClaimsIdentity(
        Microsoft.IdentityModel.Tokens.TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
    identity.SetClaim(Claims.Subject, "bench-user")
        .SetClaim(Claims.Email, "bench-user@bench.example.com");
    identity.SetScopes(request.GetScopes());
    identity.SetDestinations(static claim => [Destinations.AccessToken, Destinations.IdentityToken]);
    return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
});

// As the samples' userinfo action: the claims of the validated access token.
app.MapMethods("/connect/userinfo", ["GET", "POST"], async (HttpContext context) =>
{
    var principal = (await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme)).Principal;
    if (principal is null)
    {
        return Results.Challenge(authenticationSchemes: [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
    }

    return Results.Json(new Dictionary<string, string?>
    {
        [Claims.Subject] = principal.GetClaim(Claims.Subject),
        [Claims.Email] = principal.GetClaim(Claims.Email),
    });
});

app.MapPost("/connect/token", async (HttpContext context, IOpenIddictApplicationManager manager) =>
{
    var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("no OpenID Connect request");
    if (request.IsAuthorizationCodeGrantType() || request.IsRefreshTokenGrantType())
    {
        // As the samples do: the principal stored in the code or refresh token, signed in again.
        var stored = (await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme)).Principal
            ?? throw new InvalidOperationException("no principal in the code or refresh token");
        return Results.SignIn(stored, authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    if (!request.IsClientCredentialsGrantType())
    {
        return Results.BadRequest();
    }

    var application = await manager.FindByClientIdAsync(request.ClientId!) ?? throw new InvalidOperationException("unknown client");
    var identity = new ClaimsIdentity(
        Microsoft.IdentityModel.Tokens.TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
    identity.SetClaim(Claims.Subject, await manager.GetClientIdAsync(application));
    identity.SetClaim(Claims.Name, await manager.GetDisplayNameAsync(application));
    identity.SetScopes(request.GetScopes());
    identity.SetDestinations(static claim => [Destinations.AccessToken]);
    return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
});

app.MapGet("/health", () => "ok");
app.Run();

sealed class PeerDbContext(DbContextOptions<PeerDbContext> options) : DbContext(options);
