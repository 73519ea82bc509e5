using System.Diagnostics;
using System.Text.Json;
using AuthServer.Tests.Infrastructure;

namespace AuthServer.Tests.CentralAuthApi;

/// <summary>
/// The tokens /api/v1/verify returns must open with the npm package jose exactly as CentralAuth's client
/// library opens them: jwtDecrypt(token, new TextEncoder().encode(secret)). This runs the real jose (Node).
/// </summary>
public sealed class JoseCompatibilityTests(LoginServerFixture fixture) : IClassFixture<LoginServerFixture>
{
    [Fact]
    public async Task Access_and_id_tokens_decrypt_with_jose_jwtDecrypt_and_the_utf8_secret()
    {
        var organization = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        var tokens = await driver.SignInAndVerifyAsync(organization, "jose@example.com");

        var access = await JoseDecryptAsync(tokens.AccessToken, organization.Secret, organization.ClientId);
        Assert.Equal("dir", access.GetProperty("header").GetProperty("alg").GetString());
        Assert.Equal("A256GCM", access.GetProperty("header").GetProperty("enc").GetString());
        var payload = access.GetProperty("payload");
        Assert.True(Guid.TryParse(payload.GetProperty("sessionId").GetString(), out _));
        Assert.Equal(organization.ClientId, payload.GetProperty("aud").GetString());
        Assert.Equal(AuthServerFactory.PublicBaseUrl + "/", payload.GetProperty("iss").GetString());
        Assert.True(payload.GetProperty("exp").GetInt64() > payload.GetProperty("iat").GetInt64());

        var id = (await JoseDecryptAsync(tokens.IdToken, organization.Secret, organization.ClientId)).GetProperty("payload");
        Assert.Equal("jose@example.com", id.GetProperty("user").GetProperty("email").GetString());
        Assert.Equal(payload.GetProperty("sub").GetString(), id.GetProperty("user").GetProperty("id").GetString());
    }

    [Fact]
    public async Task Jose_refuses_the_token_with_another_secret()
    {
        var organization = await fixture.CreateOrganizationAsync();
        var other = await fixture.CreateOrganizationAsync();
        using var driver = fixture.Driver();
        var tokens = await driver.SignInAndVerifyAsync(organization, "jose-other@example.com");

        var (exitCode, _, _) = await RunNodeAsync(tokens.AccessToken, other.Secret, organization.ClientId);

        Assert.Equal(1, exitCode);
    }

    private static async Task<JsonElement> JoseDecryptAsync(string token, string secret, string audience)
    {
        var (exitCode, output, error) = await RunNodeAsync(token, secret, audience);
        Assert.True(exitCode == 0, $"jose refused the token: {error}");
        return JsonDocument.Parse(output).RootElement;
    }

    private static async Task<(int, string, string)> RunNodeAsync(string token, string secret, string audience)
    {
        var script = Environment.GetEnvironmentVariable("AUTH_TEST_JOSE_CHECK")
            ?? throw new InvalidOperationException("AUTH_TEST_JOSE_CHECK is not set: run ./test.sh, which installs jose.");
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { script, token, secret, audience })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }
}
