using AuthServer.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AuthServer.Data.Configurations;

internal sealed class WebhookEndpointConfiguration : IEntityTypeConfiguration<WebhookEndpoint>
{
    public void Configure(EntityTypeBuilder<WebhookEndpoint> builder)
    {
        builder.ToTable("webhook_endpoints");
        builder.Property(e => e.Url).HasMaxLength(2048);
        builder.Property(e => e.Description).HasMaxLength(500);
        builder.Property(e => e.EventTypes).HasColumnType("text[]");
        builder.Property(e => e.ProtectedSecret).HasMaxLength(2000);
        builder.Property(e => e.DisabledReason).HasMaxLength(500);
        builder.HasOne<Organization>().WithMany().HasForeignKey(e => e.OrganizationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(e => e.OrganizationId);
    }
}

internal sealed class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> builder)
    {
        builder.ToTable("webhook_deliveries");
        builder.Property(d => d.MessageId).HasMaxLength(64);
        builder.Property(d => d.EventType).HasMaxLength(64);
        builder.Property(d => d.Status).HasMaxLength(16);
        builder.Property(d => d.LastError).HasMaxLength(500);
        builder.HasOne<WebhookEndpoint>().WithMany().HasForeignKey(d => d.EndpointId).OnDelete(DeleteBehavior.Cascade);
        // The dispatchers' queue: only pending rows, in due order.
        builder.HasIndex(d => d.NextAttemptAt).HasDatabaseName("IX_webhook_deliveries_pending").HasFilter("\"Status\" = 'pending'");
        // The admin list of an endpoint's deliveries, newest first.
        builder.HasIndex(d => new { d.EndpointId, d.Created });
    }
}

internal sealed class WebhookAttemptConfiguration : IEntityTypeConfiguration<WebhookAttempt>
{
    public void Configure(EntityTypeBuilder<WebhookAttempt> builder)
    {
        builder.ToTable("webhook_attempts");
        builder.Property(a => a.Error).HasMaxLength(500);
        builder.HasOne<WebhookDelivery>().WithMany().HasForeignKey(a => a.DeliveryId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(a => new { a.DeliveryId, a.AttemptedAt });
    }
}
