using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AuthServer.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class TokenRevocationAndKeyRotation : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_server_keys_Use",
                table: "server_keys");

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "ActivatesAt",
                table: "server_keys",
                type: "timestamp with time zone",
                nullable: false,
                defaultValue: new DateTimeOffset(new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)));

            migrationBuilder.AddColumn<int>(
                name: "Generation",
                table: "server_keys",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            // Keys from before rotation existed: the first generation, in use since they were created.
            migrationBuilder.Sql("UPDATE server_keys SET \"Generation\" = 1, \"ActivatesAt\" = \"Created\";");

            migrationBuilder.CreateTable(
                name: "revoked_tokens",
                columns: table => new
                {
                    Jti = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    ExpiresAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    RevokedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()")
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_revoked_tokens", x => x.Jti);
                });

            migrationBuilder.CreateIndex(
                name: "IX_server_keys_Use_Generation",
                table: "server_keys",
                columns: new[] { "Use", "Generation" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_revoked_tokens_ExpiresAt",
                table: "revoked_tokens",
                column: "ExpiresAt");

            migrationBuilder.CreateIndex(
                name: "IX_revoked_tokens_RevokedAt",
                table: "revoked_tokens",
                column: "RevokedAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "revoked_tokens");

            migrationBuilder.DropIndex(
                name: "IX_server_keys_Use_Generation",
                table: "server_keys");

            migrationBuilder.DropColumn(
                name: "ActivatesAt",
                table: "server_keys");

            migrationBuilder.DropColumn(
                name: "Generation",
                table: "server_keys");

            migrationBuilder.CreateIndex(
                name: "IX_server_keys_Use",
                table: "server_keys",
                column: "Use",
                unique: true);
        }
    }
}
