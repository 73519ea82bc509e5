using AuthServer.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AuthServer.Data.Configurations;

internal sealed class UpstreamConnectionConfiguration : IEntityTypeConfiguration<UpstreamConnection>
{
    public void Configure(EntityTypeBuilder<UpstreamConnection> builder)
    {
        builder.ToTable("upstream_connections");
        builder.Property(c => c.Kind).HasMaxLength(20);
        builder.Property(c => c.DisplayName).HasMaxLength(100);
        builder.Property(c => c.ClientId).HasMaxLength(500);
        builder.Property(c => c.Tenant).HasMaxLength(200);
        builder.Property(c => c.Issuer).HasMaxLength(500);
        builder.Property(c => c.TeamId).HasMaxLength(100);
        builder.Property(c => c.KeyId).HasMaxLength(100);
        builder.Property(c => c.Scopes).HasColumnType("text[]");
        builder.HasOne<Organization>().WithMany().HasForeignKey(c => c.OrganizationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(c => c.OrganizationId);
    }
}

internal sealed class LinkedIdentityConfiguration : IEntityTypeConfiguration<LinkedIdentity>
{
    public void Configure(EntityTypeBuilder<LinkedIdentity> builder)
    {
        builder.ToTable("linked_identities");
        builder.Property(i => i.Subject).HasMaxLength(255);
        builder.Property(i => i.Email).HasMaxLength(320);
        builder.HasOne<Organization>().WithMany().HasForeignKey(i => i.OrganizationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<User>().WithMany().HasForeignKey(i => i.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<UpstreamConnection>().WithMany().HasForeignKey(i => i.ConnectionId).OnDelete(DeleteBehavior.Cascade);
        // One account upstream is one user here; the lookup of every upstream sign-in.
        builder.HasIndex(i => new { i.ConnectionId, i.Subject }).IsUnique();
        builder.HasIndex(i => i.UserId);
    }
}
