using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AuthServer.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class Passkeys : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_passkey_credentials_OrganizationId",
                table: "passkey_credentials",
                column: "OrganizationId");

            migrationBuilder.CreateIndex(
                name: "IX_passkey_ceremonies_AuthorizationRequestId",
                table: "passkey_ceremonies",
                column: "AuthorizationRequestId");

            migrationBuilder.CreateIndex(
                name: "IX_passkey_ceremonies_UserId",
                table: "passkey_ceremonies",
                column: "UserId");

            migrationBuilder.AddForeignKey(
                name: "FK_passkey_ceremonies_authorization_requests_AuthorizationRequ~",
                table: "passkey_ceremonies",
                column: "AuthorizationRequestId",
                principalTable: "authorization_requests",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "FK_passkey_ceremonies_users_UserId",
                table: "passkey_ceremonies",
                column: "UserId",
                principalTable: "users",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "FK_passkey_credentials_organizations_OrganizationId",
                table: "passkey_credentials",
                column: "OrganizationId",
                principalTable: "organizations",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_passkey_ceremonies_authorization_requests_AuthorizationRequ~",
                table: "passkey_ceremonies");

            migrationBuilder.DropForeignKey(
                name: "FK_passkey_ceremonies_users_UserId",
                table: "passkey_ceremonies");

            migrationBuilder.DropForeignKey(
                name: "FK_passkey_credentials_organizations_OrganizationId",
                table: "passkey_credentials");

            migrationBuilder.DropIndex(
                name: "IX_passkey_credentials_OrganizationId",
                table: "passkey_credentials");

            migrationBuilder.DropIndex(
                name: "IX_passkey_ceremonies_AuthorizationRequestId",
                table: "passkey_ceremonies");

            migrationBuilder.DropIndex(
                name: "IX_passkey_ceremonies_UserId",
                table: "passkey_ceremonies");
        }
    }
}
