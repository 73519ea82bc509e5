using AuthServer.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AuthServer.Data.Configurations;

internal sealed class AdministratorConfiguration : IEntityTypeConfiguration<Administrator>
{
    public void Configure(EntityTypeBuilder<Administrator> builder)
    {
        builder.ToTable("administrators");
        builder.HasKey(a => a.UserId);
        // Deleting the user (or the system organization) ends the role with it.
        builder.HasOne<User>().WithOne().HasForeignKey<Administrator>(a => a.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
