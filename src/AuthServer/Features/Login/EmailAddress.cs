using System.Net.Mail;

namespace AuthServer.Features.Login;

public static class EmailAddress
{
    /// <summary>Lower-cased and trimmed: email uniqueness per organization is case-insensitive.</summary>
    public static string Normalize(string email) => email.Trim().ToLowerInvariant();

    /// <summary>A plain address (no display name), at most 320 characters, with a dot in the domain.</summary>
    public static bool IsValid(string? email)
    {
        if (string.IsNullOrWhiteSpace(email) || email.Length > 320)
        {
            return false;
        }

        var trimmed = email.Trim();
        return MailAddress.TryCreate(trimmed, out var parsed)
            && parsed.Address == trimmed
            && parsed.Host.Contains('.')
            && !parsed.Host.EndsWith('.');
    }
}
