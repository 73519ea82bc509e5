using System.Runtime.ExceptionServices;
using AuthServer.Errors;
using Microsoft.AspNetCore.Identity;

namespace AuthServer.Features.Passkeys;

/// <summary>What a failed attestation or assertion becomes.</summary>
internal static class PasskeyFailures
{
    /// <summary>
    /// passkeyDataInvalid, whatever the check that failed (challenge, origin, rp id hash, flags, signature,
    /// counter): the reason is logged, not told, so a forger learns nothing from the answer. The handler also
    /// turns infrastructure failures into results; those are rethrown to become serviceUnavailable/genericError.
    /// </summary>
    public static AuthError Refuse(PasskeyException? failure, Guid ceremonyId, ILogger logger)
    {
        if (failure?.InnerException is { } inner && ErrorHandlingMiddleware.IsDatabaseUnavailable(inner))
        {
            ExceptionDispatchInfo.Throw(inner);
        }

        logger.LogInformation("Passkey ceremony {CeremonyId} refused: {Reason}", ceremonyId, failure?.Message);
        return AuthError.PasskeyDataInvalid();
    }
}
