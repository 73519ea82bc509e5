using AuthServer.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AuthServer.Data.Configurations;

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> builder)
    {
        builder.ToTable("api_keys");
        builder.Property(k => k.Name).HasMaxLength(200);
        builder.Property(k => k.Prefix).HasMaxLength(16);
        builder.HasIndex(k => k.KeyHash).IsUnique();
        builder.HasOne<Organization>().WithMany().HasForeignKey(k => k.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class AuditLogEntryConfiguration : IEntityTypeConfiguration<AuditLogEntry>
{
    public void Configure(EntityTypeBuilder<AuditLogEntry> builder)
    {
        builder.ToTable("audit_log");
        builder.Property(e => e.ActorType).HasMaxLength(32);
        builder.Property(e => e.ActorId).HasMaxLength(200);
        builder.Property(e => e.Action).HasMaxLength(100);
        builder.Property(e => e.TargetType).HasMaxLength(32);
        builder.Property(e => e.TargetId).HasMaxLength(200);
        builder.Property(e => e.Status).HasMaxLength(64);
        builder.Property(e => e.Ip).HasMaxLength(64);
        builder.HasIndex(e => e.Created);
        builder.HasIndex(e => new { e.Action, e.Created });
    }
}

internal sealed class ServerKeyConfiguration : IEntityTypeConfiguration<ServerKey>
{
    public void Configure(EntityTypeBuilder<ServerKey> builder)
    {
        builder.ToTable("server_keys");
        builder.Property(k => k.Use).HasMaxLength(16);
        // One key per use and generation: concurrent first starts (or rotations) race on this index and the
        // loser reads the winner's key.
        builder.HasIndex(k => new { k.Use, k.Generation }).IsUnique();
    }
}

internal sealed class RevokedTokenConfiguration : IEntityTypeConfiguration<RevokedToken>
{
    public void Configure(EntityTypeBuilder<RevokedToken> builder)
    {
        builder.ToTable("revoked_tokens");
        builder.HasKey(t => t.Jti);
        builder.Property(t => t.Jti).HasMaxLength(128);
        // Set by the database, so instances with skewed clocks read each other's revocations in order.
        builder.Property(t => t.RevokedAt).HasDefaultValueSql("now()");
        builder.HasIndex(t => t.RevokedAt);
        builder.HasIndex(t => t.ExpiresAt);
    }
}
