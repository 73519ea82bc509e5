using AuthServer.Data.Entities;
using AuthServer.Errors;
using AuthServer.Features.Audit;
using AuthServer.Features.SignIn;
using Microsoft.EntityFrameworkCore;

namespace AuthServer.Features.Passkeys;

/// <summary>A passkey sign-in's outcome in the audit log (a registration's too, which signs in).</summary>
public sealed class PasskeyAudit(AuditTrail audit, PasskeyLoginMethod method)
{
    /// <summary>"success" with the new session as target, or the errorCode with the ceremony as target; never throws.</summary>
    public Task RecordAsync(AuthError? error, Guid? ceremonyId, Session? session, string? ip) =>
        audit.TryRecordSignInAsync(LoginMethods.AuditAction(method), error, session, AuditTrail.Targets.PasskeyCeremony, ceremonyId, async own =>
        {
            var ceremony = await own.PasskeyCeremonies.AsNoTracking().Where(c => c.Id == ceremonyId)
                .Select(c => new { c.OrganizationId, c.UserId }).SingleOrDefaultAsync();
            return (ceremony?.OrganizationId, ceremony?.UserId);
        }, ip, PasskeyLoginMethod.MethodName);
}
