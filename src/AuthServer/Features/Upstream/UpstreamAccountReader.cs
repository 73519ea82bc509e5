using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text.Json;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace AuthServer.Features.Upstream;

/// <summary>Who the provider says the person is: its stable subject, and an email only with whether the provider verified it.</summary>
public sealed record UpstreamAccount(string Subject, string? Email, bool EmailVerified);

/// <summary>
/// Reads the account from the validated ID token and userinfo claims OpenIddict merged. GitHub has neither an ID
/// token nor a verified flag on its profile: its verified primary address comes from GET /user/emails.
/// </summary>
public sealed class UpstreamAccountReader(IHttpClientFactory http, ILogger<UpstreamAccountReader> logger)
{
    public const string GitHubClient = "upstream-github";
    public static readonly Uri GitHubEmails = new("https://api.github.com/user/emails");

    public async Task<UpstreamAccount?> ReadAsync(string kind, ClaimsPrincipal principal, string? accessToken, CancellationToken cancellationToken)
    {
        var subject = First(principal, Claims.Subject, ClaimTypes.NameIdentifier, "id");
        if (string.IsNullOrEmpty(subject) || subject.Length > 255)
        {
            return null;
        }

        if (kind == UpstreamKinds.GitHub)
        {
            var (email, verified) = accessToken is null ? (null, false) : await GitHubPrimaryEmailAsync(accessToken, cancellationToken);
            return new UpstreamAccount(subject, email, verified);
        }

        // Microsoft's Entra ID sends email_verified only as the optional claim xms_edov (an email it checked).
        return new UpstreamAccount(subject, First(principal, Claims.Email, ClaimTypes.Email),
            IsTrue(First(principal, Claims.EmailVerified)) || IsTrue(First(principal, "xms_edov")));
    }

    private async Task<(string? Email, bool Verified)> GitHubPrimaryEmailAsync(string accessToken, CancellationToken cancellationToken)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, GitHubEmails);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
            request.Headers.Accept.ParseAdd("application/vnd.github+json");
            using var response = await http.CreateClient(GitHubClient).SendAsync(request, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                logger.LogWarning("GitHub answered {Status} to the email list", (int)response.StatusCode);
                return (null, false);
            }

            using var document = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
            foreach (var entry in document.RootElement.EnumerateArray())
            {
                if (entry.TryGetProperty("primary", out var primary) && primary.ValueKind == JsonValueKind.True
                    && entry.TryGetProperty("email", out var email) && email.ValueKind == JsonValueKind.String)
                {
                    return (email.GetString(), entry.TryGetProperty("verified", out var verified) && verified.ValueKind == JsonValueKind.True);
                }
            }

            return (null, false);
        }
        catch (Exception exception) when (exception is HttpRequestException or JsonException or InvalidOperationException or TaskCanceledException)
        {
            logger.LogWarning("GitHub's email list could not be read: {Reason}", exception.Message);
            return (null, false);
        }
    }

    private static string? First(ClaimsPrincipal principal, params string[] types) =>
        types.Select(t => principal.FindFirst(t)?.Value).FirstOrDefault(v => !string.IsNullOrEmpty(v));

    private static bool IsTrue(string? value) => string.Equals(value, "true", StringComparison.OrdinalIgnoreCase);
}
