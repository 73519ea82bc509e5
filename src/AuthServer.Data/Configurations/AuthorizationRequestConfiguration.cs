using AuthServer.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AuthServer.Data.Configurations;

internal sealed class AuthorizationRequestConfiguration : IEntityTypeConfiguration<AuthorizationRequest>
{
    public void Configure(EntityTypeBuilder<AuthorizationRequest> builder)
    {
        builder.ToTable("authorization_requests");
        builder.Property(r => r.RedirectUri).HasMaxLength(2048);
        builder.Property(r => r.State).HasMaxLength(4096);
        builder.Property(r => r.CodeChallenge).HasMaxLength(128);
        builder.Property(r => r.Nonce).HasMaxLength(1024);
        builder.Property(r => r.Scope).HasMaxLength(1024);
        builder.Property(r => r.LoginHint).HasMaxLength(320);
        // The whole original query, bounded by the parser (AuthorizationRequestLimits.Total), not by the column.
        builder.Property(r => r.ProtocolQuery).HasColumnType("text");
        builder.Property(r => r.Translations).HasColumnType("jsonb");
        builder.Property(r => r.UiLocales).HasMaxLength(200);
        builder.HasOne<Organization>().WithMany().HasForeignKey(r => r.OrganizationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(r => r.ExpiresAt);
    }
}
