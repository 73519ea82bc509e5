namespace AuthServer.Data.Entities;

/// <summary>
/// A token signing or encryption key generated once by the server when no certificate is configured.
/// Stored in the database so that every instance and every restart uses the same keys.
/// </summary>
public sealed class ServerKey
{
    public Guid Id { get; set; }

    /// <summary>"signing" or "encryption".</summary>
    public required string Use { get; set; }

    /// <summary>The PKCS#8 private key, protected with Data Protection.</summary>
    public required string ProtectedKey { get; set; }

    public DateTimeOffset Created { get; set; }
}
