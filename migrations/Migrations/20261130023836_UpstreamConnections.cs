using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AuthServer.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class UpstreamConnections : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "UpstreamConnectionId",
                table: "sessions",
                type: "uuid",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "upstream_connections",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    OrganizationId = table.Column<Guid>(type: "uuid", nullable: false),
                    Kind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    DisplayName = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    ClientId = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    ProtectedClientSecret = table.Column<string>(type: "text", nullable: false),
                    Tenant = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    Issuer = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    TeamId = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    KeyId = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    Scopes = table.Column<string[]>(type: "text[]", nullable: false),
                    Enabled = table.Column<bool>(type: "boolean", nullable: false),
                    Created = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Updated = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_upstream_connections", x => x.Id);
                    table.ForeignKey(
                        name: "FK_upstream_connections_organizations_OrganizationId",
                        column: x => x.OrganizationId,
                        principalTable: "organizations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "linked_identities",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    OrganizationId = table.Column<Guid>(type: "uuid", nullable: false),
                    UserId = table.Column<Guid>(type: "uuid", nullable: false),
                    ConnectionId = table.Column<Guid>(type: "uuid", nullable: false),
                    Subject = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    Email = table.Column<string>(type: "character varying(320)", maxLength: 320, nullable: true),
                    Created = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    LastUsed = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_linked_identities", x => x.Id);
                    table.ForeignKey(
                        name: "FK_linked_identities_organizations_OrganizationId",
                        column: x => x.OrganizationId,
                        principalTable: "organizations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_linked_identities_upstream_connections_ConnectionId",
                        column: x => x.ConnectionId,
                        principalTable: "upstream_connections",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_linked_identities_users_UserId",
                        column: x => x.UserId,
                        principalTable: "users",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_sessions_UpstreamConnectionId",
                table: "sessions",
                column: "UpstreamConnectionId");

            migrationBuilder.CreateIndex(
                name: "IX_linked_identities_ConnectionId_Subject",
                table: "linked_identities",
                columns: new[] { "ConnectionId", "Subject" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_linked_identities_OrganizationId",
                table: "linked_identities",
                column: "OrganizationId");

            migrationBuilder.CreateIndex(
                name: "IX_linked_identities_UserId",
                table: "linked_identities",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_upstream_connections_OrganizationId",
                table: "upstream_connections",
                column: "OrganizationId");

            migrationBuilder.AddForeignKey(
                name: "FK_sessions_upstream_connections_UpstreamConnectionId",
                table: "sessions",
                column: "UpstreamConnectionId",
                principalTable: "upstream_connections",
                principalColumn: "Id",
                onDelete: ReferentialAction.SetNull);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_sessions_upstream_connections_UpstreamConnectionId",
                table: "sessions");

            migrationBuilder.DropTable(
                name: "linked_identities");

            migrationBuilder.DropTable(
                name: "upstream_connections");

            migrationBuilder.DropIndex(
                name: "IX_sessions_UpstreamConnectionId",
                table: "sessions");

            migrationBuilder.DropColumn(
                name: "UpstreamConnectionId",
                table: "sessions");
        }
    }
}
