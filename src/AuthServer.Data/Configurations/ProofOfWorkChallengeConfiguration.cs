using AuthServer.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AuthServer.Data.Configurations;

internal sealed class ProofOfWorkChallengeConfiguration : IEntityTypeConfiguration<ProofOfWorkChallenge>
{
    public void Configure(EntityTypeBuilder<ProofOfWorkChallenge> builder)
    {
        builder.ToTable("proof_of_work_challenges");
        builder.Property(c => c.Challenge).HasMaxLength(64);
        builder.HasOne<AuthorizationRequest>().WithMany().HasForeignKey(c => c.AuthorizationRequestId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(c => c.ExpiresAt);
    }
}
