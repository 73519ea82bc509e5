using System.Buffers.Binary;
using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;

namespace AuthServer.Bench;

/// <summary>
/// Copied from tests/AuthServer.Tests/Passkeys/SoftwareAuthenticator.cs for the passkey scenario (5).
/// A passkey authenticator in software, playing the browser too: an ES256 key, authenticator data and a
/// "none" attestation object in CBOR, answers shaped as PublicKeyCredential.toJSON(). Valid by default;
/// a test changes one thing through <see cref="Tweaks"/>.
/// </summary>
public sealed class SoftwareAuthenticator(string origin = "http://localhost") : IDisposable
{
    public const byte UserPresent = 0x01;
    public const byte UserVerified = 0x04;
    public const byte AttestedCredentialData = 0x40;

    private readonly ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public byte[] CredentialId { get; } = RandomNumberGenerator.GetBytes(32);

    /// <summary>The user handle the relying party gave at registration (the user's id), returned on every sign-in.</summary>
    public byte[]? UserHandle { get; private set; }

    /// <summary>The signature counter: answers at registration, then goes up by one per sign-in.</summary>
    public uint SignCount { get; set; }

    /// <summary>One change to an otherwise valid answer.</summary>
    public sealed record Tweaks
    {
        public string? Challenge { get; init; }
        public string? Origin { get; init; }
        public string? RpId { get; init; }
        public byte? Flags { get; init; }
        public uint? SignCount { get; init; }
        public bool CorruptSignature { get; init; }
    }

    /// <summary>navigator.credentials.create() for the server's creation options.</summary>
    public string Register(JsonElement options, Tweaks? tweaks = null)
    {
        var t = tweaks ?? new Tweaks();
        UserHandle = WebEncoders.Base64UrlDecode(options.GetProperty("user").GetProperty("id").GetString()!);
        var clientData = ClientData("webauthn.create", t.Challenge ?? options.GetProperty("challenge").GetString()!, t.Origin ?? origin);
        var authenticatorData = AuthenticatorData(t.RpId ?? options.GetProperty("rp").GetProperty("id").GetString()!,
            t.Flags ?? (UserPresent | UserVerified | AttestedCredentialData), t.SignCount ?? SignCount, withCredential: true);

        var attestation = new CborWriter(CborConformanceMode.Ctap2Canonical);
        attestation.WriteStartMap(3);
        attestation.WriteTextString("fmt");
        attestation.WriteTextString("none");
        attestation.WriteTextString("attStmt");
        attestation.WriteStartMap(0);
        attestation.WriteEndMap();
        attestation.WriteTextString("authData");
        attestation.WriteByteString(authenticatorData);
        attestation.WriteEndMap();

        return Credential(new Dictionary<string, object?>
        {
            ["clientDataJSON"] = Base64Url(clientData),
            ["attestationObject"] = Base64Url(attestation.Encode()),
            ["transports"] = new[] { "internal" },
        });
    }

    /// <summary>navigator.credentials.get() for the server's request options: signs authenticatorData || SHA-256(clientDataJSON).</summary>
    public string Assert(JsonElement options, Tweaks? tweaks = null)
    {
        var t = tweaks ?? new Tweaks();
        var count = t.SignCount ?? ++SignCount;
        var clientData = ClientData("webauthn.get", t.Challenge ?? options.GetProperty("challenge").GetString()!, t.Origin ?? origin);
        var authenticatorData = AuthenticatorData(t.RpId ?? options.GetProperty("rpId").GetString()!, t.Flags ?? (UserPresent | UserVerified), count, withCredential: false);
        var signature = key.SignData([.. authenticatorData, .. SHA256.HashData(clientData)], HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        if (t.CorruptSignature)
        {
            signature[^1] ^= 0x01;
        }

        return Credential(new Dictionary<string, object?>
        {
            ["clientDataJSON"] = Base64Url(clientData),
            ["authenticatorData"] = Base64Url(authenticatorData),
            ["signature"] = Base64Url(signature),
            ["userHandle"] = UserHandle is null ? null : Base64Url(UserHandle),
        });
    }

    public void Dispose() => key.Dispose();

    private string Credential(Dictionary<string, object?> response) => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["id"] = Base64Url(CredentialId),
        ["rawId"] = Base64Url(CredentialId),
        ["type"] = "public-key",
        ["authenticatorAttachment"] = "platform",
        ["clientExtensionResults"] = new Dictionary<string, object>(),
        ["response"] = response,
    });

    private static byte[] ClientData(string type, string challenge, string origin) =>
        Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { type, challenge, origin, crossOrigin = false }));

    /// <summary>rpIdHash (32) | flags (1) | signCount (4, big-endian) [| aaguid (16) | credentialIdLength (2) | credentialId | COSE key].</summary>
    private byte[] AuthenticatorData(string rpId, int flags, uint signCount, bool withCredential)
    {
        var data = new List<byte>(SHA256.HashData(Encoding.UTF8.GetBytes(rpId))) { (byte)flags };
        var counter = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(counter, signCount);
        data.AddRange(counter);
        if (withCredential)
        {
            data.AddRange(new byte[16]);
            var length = new byte[2];
            BinaryPrimitives.WriteUInt16BigEndian(length, (ushort)CredentialId.Length);
            data.AddRange(length);
            data.AddRange(CredentialId);
            data.AddRange(CoseKey());
        }

        return [.. data];
    }

    /// <summary>The public key as a COSE_Key: kty EC2, alg ES256, crv P-256, x, y (CTAP2 canonical order).</summary>
    private byte[] CoseKey()
    {
        var point = key.ExportParameters(includePrivateParameters: false).Q;
        var cose = new CborWriter(CborConformanceMode.Ctap2Canonical);
        cose.WriteStartMap(5);
        cose.WriteInt32(1);
        cose.WriteInt32(2);
        cose.WriteInt32(3);
        cose.WriteInt32(-7);
        cose.WriteInt32(-1);
        cose.WriteInt32(1);
        cose.WriteInt32(-2);
        cose.WriteByteString(point.X!);
        cose.WriteInt32(-3);
        cose.WriteByteString(point.Y!);
        cose.WriteEndMap();
        return cose.Encode();
    }

    private static string Base64Url(byte[] bytes) => WebEncoders.Base64UrlEncode(bytes);
}
