using AuthServer.Data.Entities;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace AuthServer.Data;

/// <summary>The one database of the server: our entities, OpenIddict's, and Data Protection keys.</summary>
public sealed class AuthDbContext : DbContext, IDataProtectionKeyContext
{
    public AuthDbContext(DbContextOptions<AuthDbContext> options)
        : base(options)
    {
        // Every unit of work that opens a transaction ends it at its first failed SaveChanges (nothing catches a
        // failed save and goes on in the same transaction), so EF's savepoint around each save inside one only
        // cost two statements per transaction: SAVEPOINT and RELEASE. Pooled contexts keep this setting.
        Database.AutoSavepointsEnabled = false;
    }

    public DbSet<Organization> Organizations => Set<Organization>();
    public DbSet<User> Users => Set<User>();
    public DbSet<AuthorizationRequest> AuthorizationRequests => Set<AuthorizationRequest>();
    public DbSet<LoginAttempt> LoginAttempts => Set<LoginAttempt>();
    public DbSet<Session> Sessions => Set<Session>();
    public DbSet<AuthorizationCode> AuthorizationCodes => Set<AuthorizationCode>();
    public DbSet<PasskeyCredential> PasskeyCredentials => Set<PasskeyCredential>();
    public DbSet<PasskeyCeremony> PasskeyCeremonies => Set<PasskeyCeremony>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<AuditLogEntry> AuditLog => Set<AuditLogEntry>();
    public DbSet<ServerKey> ServerKeys => Set<ServerKey>();
    public DbSet<RevokedToken> RevokedTokens => Set<RevokedToken>();
    public DbSet<RateLimitCounter> RateLimitCounters => Set<RateLimitCounter>();
    public DbSet<OutboxEmail> OutboxEmails => Set<OutboxEmail>();
    public DbSet<EmailLoginLock> EmailLoginLocks => Set<EmailLoginLock>();
    public DbSet<ProofOfWorkChallenge> ProofOfWorkChallenges => Set<ProofOfWorkChallenge>();
    public DbSet<UpstreamConnection> UpstreamConnections => Set<UpstreamConnection>();
    public DbSet<LinkedIdentity> LinkedIdentities => Set<LinkedIdentity>();
    public DbSet<WebhookEndpoint> WebhookEndpoints => Set<WebhookEndpoint>();
    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();
    public DbSet<WebhookAttempt> WebhookAttempts => Set<WebhookAttempt>();
    public DbSet<Administrator> Administrators => Set<Administrator>();
    public DbSet<OrganizationLogo> OrganizationLogos => Set<OrganizationLogo>();
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(AuthDbContext).Assembly);
        modelBuilder.UseOpenIddict();
    }
}
