using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AuthServer.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class EmailLinksApprovalLocksAndChallenges : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "Settings_ProofOfWorkThreshold",
                table: "organizations",
                type: "integer",
                nullable: false,
                defaultValue: 10); // Existing organizations get the default threshold (OrganizationSettings), not 0.

            migrationBuilder.AddColumn<string>(
                name: "ApprovalNumber",
                table: "login_attempts",
                type: "character varying(8)",
                maxLength: 8,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "ApprovedAt",
                table: "login_attempts",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "BrowserBindingHash",
                table: "login_attempts",
                type: "bytea",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "DeclinedAt",
                table: "login_attempts",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "email_login_locks",
                columns: table => new
                {
                    OrganizationId = table.Column<Guid>(type: "uuid", nullable: false),
                    NormalizedEmail = table.Column<string>(type: "character varying(320)", maxLength: 320, nullable: false),
                    ConsecutiveFailures = table.Column<int>(type: "integer", nullable: false),
                    LockedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Updated = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_email_login_locks", x => new { x.OrganizationId, x.NormalizedEmail });
                    table.ForeignKey(
                        name: "FK_email_login_locks_organizations_OrganizationId",
                        column: x => x.OrganizationId,
                        principalTable: "organizations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "proof_of_work_challenges",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    AuthorizationRequestId = table.Column<Guid>(type: "uuid", nullable: false),
                    Challenge = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Difficulty = table.Column<int>(type: "integer", nullable: false),
                    Created = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ExpiresAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    SpentAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_proof_of_work_challenges", x => x.Id);
                    table.ForeignKey(
                        name: "FK_proof_of_work_challenges_authorization_requests_Authorizati~",
                        column: x => x.AuthorizationRequestId,
                        principalTable: "authorization_requests",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_proof_of_work_challenges_AuthorizationRequestId",
                table: "proof_of_work_challenges",
                column: "AuthorizationRequestId");

            migrationBuilder.CreateIndex(
                name: "IX_proof_of_work_challenges_ExpiresAt",
                table: "proof_of_work_challenges",
                column: "ExpiresAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "email_login_locks");

            migrationBuilder.DropTable(
                name: "proof_of_work_challenges");

            migrationBuilder.DropColumn(
                name: "Settings_ProofOfWorkThreshold",
                table: "organizations");

            migrationBuilder.DropColumn(
                name: "ApprovalNumber",
                table: "login_attempts");

            migrationBuilder.DropColumn(
                name: "ApprovedAt",
                table: "login_attempts");

            migrationBuilder.DropColumn(
                name: "BrowserBindingHash",
                table: "login_attempts");

            migrationBuilder.DropColumn(
                name: "DeclinedAt",
                table: "login_attempts");
        }
    }
}
