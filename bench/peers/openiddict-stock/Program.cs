// Benchmark peer (issue 11): a stock OpenIddict 7.8 server on EF Core + PostgreSQL, set up the way OpenIddict's
// documentation and samples set up a client_credentials server: the default EF Core stores and entities, default
// client-secret hashing (the application manager's PBKDF2), default token storage (a token row per token),
// RS256 signing with a key generated at start, client_credentials + introspection, a passthrough token endpoint
// that signs in a principal for the client. One confidential client is seeded at start.
//
// Configuration (environment): ConnectionStrings__Peer, Peer__ClientId, Peer__ClientSecret, ASPNETCORE_URLS.
// Two choices differ from the bare defaults, both to do the same work as the other servers in the comparison:
// access tokens are plain RS256 JWTs (DisableAccessTokenEncryption, as OpenIddict's docs show for resource
// servers that validate JWTs themselves), and HTTP is allowed on loopback (DisableTransportSecurityRequirement).
using System.Security.Claims;
using Microsoft.AspNetCore;
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
            .SetIntrospectionEndpointUris("connect/introspect");
        options.AllowClientCredentialsFlow();
        options.RegisterScopes("api");
        options.AddEphemeralEncryptionKey()
            .AddEphemeralSigningKey();
        options.DisableAccessTokenEncryption();
        options.UseAspNetCore()
            .EnableTokenEndpointPassthrough()
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
}

app.MapPost("/connect/token", async (HttpContext context, IOpenIddictApplicationManager manager) =>
{
    var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("no OpenID Connect request");
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
