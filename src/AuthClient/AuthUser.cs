using System.Text.Json.Serialization;

namespace AuthServer.Client;

/// <summary>The signed-in person, as the auth server's <c>/api/v1/userinfo</c> returns it.</summary>
public sealed record AuthUser
{
    /// <summary>The user's id, stable for the organization.</summary>
    [JsonPropertyName("id")]
    public required string Id { get; init; }

    /// <summary>The email address the person signed in with.</summary>
    [JsonPropertyName("email")]
    public required string Email { get; init; }

    /// <summary>A Gravatar URL for the email address.</summary>
    [JsonPropertyName("gravatar")]
    public string? Gravatar { get; init; }

    /// <summary>Whether the person proved they own the email address.</summary>
    [JsonPropertyName("verified")]
    public bool Verified { get; init; }

    /// <summary>Whether the organization blocked the user.</summary>
    [JsonPropertyName("blocked")]
    public bool Blocked { get; init; }

    /// <summary>The organization (client id) the user belongs to.</summary>
    [JsonPropertyName("organizationId")]
    public string? OrganizationId { get; init; }

    /// <summary>When the user was created.</summary>
    [JsonPropertyName("created")]
    public DateTimeOffset? Created { get; init; }

    /// <summary>When the user was last changed.</summary>
    [JsonPropertyName("updated")]
    public DateTimeOffset? Updated { get; init; }

    /// <summary>When the user last signed in.</summary>
    [JsonPropertyName("lastLogin")]
    public DateTimeOffset? LastLogin { get; init; }
}
