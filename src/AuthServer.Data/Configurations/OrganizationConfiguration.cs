using AuthServer.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AuthServer.Data.Configurations;

internal sealed class OrganizationConfiguration : IEntityTypeConfiguration<Organization>
{
    public void Configure(EntityTypeBuilder<Organization> builder)
    {
        builder.ToTable("organizations");
        builder.Property(o => o.Name).HasMaxLength(200);
        builder.Property(o => o.ProtectedSecret).HasMaxLength(2000);
        builder.Property(o => o.PendingProtectedSecret).HasMaxLength(2000);
        builder.Property(o => o.WhitelistedOrigins).HasColumnType("text[]");
        builder.Property(o => o.RedirectUris).HasColumnType("text[]");
        builder.OwnsOne(o => o.Settings);
        builder.OwnsOne(o => o.Connections);
        builder.Navigation(o => o.Settings).IsRequired();
        builder.Navigation(o => o.Connections).IsRequired();
    }
}
