using AuthServer.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AuthServer.Data.Configurations;

internal sealed class EmailLoginLockConfiguration : IEntityTypeConfiguration<EmailLoginLock>
{
    public void Configure(EntityTypeBuilder<EmailLoginLock> builder)
    {
        builder.ToTable("email_login_locks");
        builder.HasKey(l => new { l.OrganizationId, l.NormalizedEmail });
        builder.Property(l => l.NormalizedEmail).HasMaxLength(320);
        builder.HasOne<Organization>().WithMany().HasForeignKey(l => l.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}
