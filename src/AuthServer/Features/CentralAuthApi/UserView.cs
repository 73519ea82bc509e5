using System.Security.Cryptography;
using System.Text;
using AuthServer.Data.Entities;

namespace AuthServer.Features.CentralAuthApi;

/// <summary>The user as the CentralAuth-style API shows it (docs/protocol.md §3).</summary>
public sealed record UserView(
    Guid Id, string Email, string Gravatar, bool Verified, bool Blocked, Guid OrganizationId,
    DateTimeOffset Created, DateTimeOffset Updated, DateTimeOffset? LastLogin)
{
    public static UserView From(User user) => new(
        user.Id, user.Email, GravatarUrl(user.Email), user.Verified, user.Blocked, user.OrganizationId,
        user.Created, user.Updated, user.LastLogin);

    private static string GravatarUrl(string email) =>
        "https://www.gravatar.com/avatar/" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(email.Trim().ToLowerInvariant())));
}
