using AuthServer.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AuthServer.Data.Configurations;

internal sealed class LoginAttemptConfiguration : IEntityTypeConfiguration<LoginAttempt>
{
    public void Configure(EntityTypeBuilder<LoginAttempt> builder)
    {
        builder.ToTable("login_attempts");
        builder.Property(a => a.Email).HasMaxLength(320);
        builder.Property(a => a.NormalizedEmail).HasMaxLength(320);
        builder.Property(a => a.Ip).HasMaxLength(64);
        builder.Property(a => a.UserAgent).HasMaxLength(1024);
        builder.Property(a => a.ApprovalNumber).HasMaxLength(8);
        builder.HasOne<Organization>().WithMany().HasForeignKey(a => a.OrganizationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(a => a.AuthorizationRequest).WithMany().HasForeignKey(a => a.AuthorizationRequestId).OnDelete(DeleteBehavior.Cascade);
        // Rate limits count recent attempts per email and per IP.
        builder.HasIndex(a => new { a.OrganizationId, a.NormalizedEmail, a.Created });
        builder.HasIndex(a => new { a.Ip, a.Created });
        builder.HasIndex(a => a.LinkTokenHash);
    }
}
