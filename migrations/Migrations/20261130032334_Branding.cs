using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AuthServer.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class Branding : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Branding_AccentColor",
                table: "organizations",
                type: "character varying(7)",
                maxLength: 7,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Branding_AccentTextColor",
                table: "organizations",
                type: "character varying(7)",
                maxLength: 7,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Branding_DefaultLanguage",
                table: "organizations",
                type: "character varying(8)",
                maxLength: 8,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Branding_DisplayName",
                table: "organizations",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Branding_LogoHash",
                table: "organizations",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Branding_LogoUrl",
                table: "organizations",
                type: "character varying(2000)",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Branding_StringOverrides",
                table: "organizations",
                type: "jsonb",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Branding_SupportEmail",
                table: "organizations",
                type: "character varying(320)",
                maxLength: 320,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Branding_SupportUrl",
                table: "organizations",
                type: "character varying(2000)",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "UiLocales",
                table: "authorization_requests",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "organization_logos",
                columns: table => new
                {
                    OrganizationId = table.Column<Guid>(type: "uuid", nullable: false),
                    ContentType = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Content = table.Column<byte[]>(type: "bytea", nullable: false),
                    Hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Created = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_organization_logos", x => x.OrganizationId);
                    table.ForeignKey(
                        name: "FK_organization_logos_organizations_OrganizationId",
                        column: x => x.OrganizationId,
                        principalTable: "organizations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "organization_logos");

            migrationBuilder.DropColumn(
                name: "Branding_AccentColor",
                table: "organizations");

            migrationBuilder.DropColumn(
                name: "Branding_AccentTextColor",
                table: "organizations");

            migrationBuilder.DropColumn(
                name: "Branding_DefaultLanguage",
                table: "organizations");

            migrationBuilder.DropColumn(
                name: "Branding_DisplayName",
                table: "organizations");

            migrationBuilder.DropColumn(
                name: "Branding_LogoHash",
                table: "organizations");

            migrationBuilder.DropColumn(
                name: "Branding_LogoUrl",
                table: "organizations");

            migrationBuilder.DropColumn(
                name: "Branding_StringOverrides",
                table: "organizations");

            migrationBuilder.DropColumn(
                name: "Branding_SupportEmail",
                table: "organizations");

            migrationBuilder.DropColumn(
                name: "Branding_SupportUrl",
                table: "organizations");

            migrationBuilder.DropColumn(
                name: "UiLocales",
                table: "authorization_requests");
        }
    }
}
