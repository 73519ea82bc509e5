using AuthServer.Features.Audit;
using AuthServer.Errors;
using AuthServer.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AuthServer.Features.Admin;

/// <summary>Token key rotation through the admin API: the same rotation as the `keys rotate` command.</summary>
public static class KeyEndpoints
{
    private const string ServerKeyTarget = "serverKey";

    public static RouteGroupBuilder MapKeyAdmin(this RouteGroupBuilder admin)
    {
        admin.MapPost("/keys/rotate", RotateAsync).WithTags("Keys").WithName("RotateKeys")
            .WithSummary("Creates the next signing and token encryption keys: published in the JWKS at once, used from activatesAt "
                + "(Tokens:KeyPublicationLeadTime later); the old public key stays published until its tokens expired. "
                + "While a rotation is pending, another call returns it unchanged. Global API keys only.");
        return admin;
    }

    private static async Task<Results<Ok<KeyRotation>, AdminError>> RotateAsync(AdminCaller caller, KeyRotationService rotation, AuditTrail audit,
        CancellationToken cancellationToken)
    {
        if (caller.CheckGlobal() is { } denied)
        {
            return new AdminError(denied);
        }

        var rotated = await rotation.RotateAsync(cancellationToken);
        await audit.RecordAsync(AuditActor.Of(caller), "keys.rotate", ServerKeyTarget, rotated.SigningKeyId, null, cancellationToken);
        return TypedResults.Ok(rotated);
    }
}
