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
        builder.OwnsOne(o => o.Branding, branding =>
        {
            branding.Property(b => b.DisplayName).HasMaxLength(200);
            branding.Property(b => b.LogoUrl).HasMaxLength(2000);
            branding.Property(b => b.LogoHash).HasMaxLength(64);
            branding.Property(b => b.AccentColor).HasMaxLength(7);
            branding.Property(b => b.AccentTextColor).HasMaxLength(7);
            branding.Property(b => b.SupportEmail).HasMaxLength(320);
            branding.Property(b => b.SupportUrl).HasMaxLength(2000);
            branding.Property(b => b.DefaultLanguage).HasMaxLength(8);
            branding.Property(b => b.StringOverrides).HasColumnType("jsonb");
        });
        builder.Navigation(o => o.Branding).IsRequired();
    }
}

internal sealed class OrganizationLogoConfiguration : IEntityTypeConfiguration<OrganizationLogo>
{
    public void Configure(EntityTypeBuilder<OrganizationLogo> builder)
    {
        builder.ToTable("organization_logos");
        builder.HasKey(l => l.OrganizationId);
        builder.Property(l => l.ContentType).HasMaxLength(32);
        builder.Property(l => l.Hash).HasMaxLength(64);
        // Deleting the organization deletes its logo.
        builder.HasOne<Organization>().WithOne().HasForeignKey<OrganizationLogo>(l => l.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}
