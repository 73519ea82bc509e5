namespace AuthServer.Hosting.Http;

/// <summary>The bounds every request is held to before any endpoint reads it.</summary>
public static class RequestLimits
{
    /// <summary>
    /// Every body here is a small form or JSON document (the largest, a passkey attestation or an organization
    /// with its translations, is a few kilobytes): 64 KB leaves room and keeps a 10 MB body from being read at all.
    /// </summary>
    public const long MaxBodyBytes = 64 * 1024;
}
