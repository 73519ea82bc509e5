using AuthServer.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AuthServer.Data.Configurations;

internal sealed class OutboxEmailConfiguration : IEntityTypeConfiguration<OutboxEmail>
{
    public void Configure(EntityTypeBuilder<OutboxEmail> builder)
    {
        builder.ToTable("email_outbox");
        builder.Property(e => e.Recipient).HasMaxLength(320);
        builder.Property(e => e.Kind).HasMaxLength(32);
        builder.Property(e => e.Status).HasMaxLength(16);
        builder.Property(e => e.LastError).HasMaxLength(500);
        builder.HasOne<Organization>().WithMany().HasForeignKey(e => e.OrganizationId).OnDelete(DeleteBehavior.Cascade);
        // The senders' queue: only pending rows, in due order.
        builder.HasIndex(e => e.NextAttemptAt).HasDatabaseName("IX_email_outbox_pending").HasFilter("\"Status\" = 'pending'");
        // The mail log, newest first, per organization or overall.
        builder.HasIndex(e => new { e.OrganizationId, e.Created });
        builder.HasIndex(e => e.Created);
    }
}
