using AuthServer.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AuthServer.Data.Configurations;

internal sealed class SessionConfiguration : IEntityTypeConfiguration<Session>
{
    public void Configure(EntityTypeBuilder<Session> builder)
    {
        builder.ToTable("sessions");
        builder.Property(s => s.Method).HasMaxLength(16);
        builder.Property(s => s.Ip).HasMaxLength(64);
        builder.Property(s => s.UserAgent).HasMaxLength(1024);
        builder.Property(s => s.DeviceId).HasMaxLength(256);
        builder.Property(s => s.EndReason).HasMaxLength(64);
        builder.HasOne(s => s.User).WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Organization>().WithMany().HasForeignKey(s => s.OrganizationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<UpstreamConnection>().WithMany().HasForeignKey(s => s.UpstreamConnectionId).OnDelete(DeleteBehavior.SetNull);
        builder.HasIndex(s => s.UserId);
    }
}
