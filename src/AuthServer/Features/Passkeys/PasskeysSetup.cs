using AuthServer.Data.Entities;
using AuthServer.Hosting;
using AuthServer.Features.SignIn;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace AuthServer.Features.Passkeys;

public static class PasskeysSetup
{
    /// <summary>
    /// Passkeys on ASP.NET Core Identity's WebAuthn implementation (PasskeyHandler): Identity core only, for
    /// the UserManager the handler needs, over our users and passkey_credentials. No Identity cookies,
    /// passwords or tables.
    /// </summary>
    public static IServiceCollection AddPasskeys(this IServiceCollection services)
    {
        services.AddOptions<PasskeyOptions>().BindConfiguration(PasskeyOptions.Section)
            .Validate<IOptions<ServerOptions>>((passkeys, server) => RelyingParty.TryResolve(server.Value, passkeys) is not null, RelyingParty.ConfigurationHelp)
            .Validate(passkeys => passkeys.OfferSnooze > TimeSpan.Zero, "Passkeys:OfferSnooze must be a positive duration, e.g. 30.00:00:00.")
            .ValidateOnStart();
        services.AddSingleton(provider => RelyingParty.Resolve(
            provider.GetRequiredService<IOptions<ServerOptions>>().Value, provider.GetRequiredService<IOptions<PasskeyOptions>>().Value));

        services.AddScoped<PasskeyUserStore>();
        services.AddScoped<PasskeyChanges>();
        services.AddIdentityCore<User>();
        services.AddScoped<IUserStore<User>>(provider => provider.GetRequiredService<PasskeyUserStore>());
        services.AddScoped<IPasskeyHandler<User>, PasskeyHandler<User>>();
        services.AddOptions<IdentityPasskeyOptions>().Configure<RelyingParty, IOptions<PasskeyOptions>>((identity, relyingParty, passkeys) =>
        {
            identity.ServerDomain = relyingParty.Id;
            // Note: the page's own origin only, never from inside another site's frame (embed mode offers no passkeys).
            identity.ValidateOrigin = context => ValueTask.FromResult(!context.CrossOrigin && relyingParty.Origins.Contains(context.Origin));
            // Discoverable credentials (sign-in without typing an email), verified by the person (PIN, biometrics).
            identity.ResidentKeyRequirement = "required";
            identity.UserVerificationRequirement = "required";
            identity.AttestationConveyancePreference = "none";
            identity.AuthenticatorTimeout = passkeys.Value.CeremonyLifetime;
        });

        services.AddScoped<PasskeyCeremonies>();
        services.AddScoped<PasskeyRequests>();
        services.AddScoped<PasskeySignInService>();
        services.AddScoped<PasskeyRegistrationService>();
        services.AddScoped<PasskeyAudit>();
        services.AddSingleton<Offer.PasskeyOfferStates>();
        services.AddScoped<Offer.PasskeyOffer>();
        services.AddScoped<Offer.PasskeyOfferRegistration>();
        services.AddLoginMethod<PasskeyLoginMethod>();
        return services;
    }
}
