using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AuthServer.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using static AuthServer.Tests.Infrastructure.LoginDriver;

namespace AuthServer.Tests.Passkeys;

/// <summary>The login page's passkey script over HTTP: the page, then its JSON posts with the page's anti-forgery token.</summary>
public sealed class PasskeyDriver(LoginDriver login, Outbox outbox)
{
    public sealed record Challenge(Guid Ceremony, JsonElement Options);

    public HttpClient Client => login.Client;

    public Task<LoginPage> OpenAsync(TestOrganization organization) => login.OpenAsync(LoginUrl(organization));

    /// <summary>The email step's "Register a new passkey": the code page of a passkey registration.</summary>
    public async Task<LoginPage> SubmitEmailForPasskeyAsync(LoginPage page, string email)
    {
        var response = await Client.PostAsync("/login/email", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["request"] = page.RequestId,
            ["__RequestVerificationToken"] = page.AntiforgeryToken,
            ["email"] = email,
            ["intent"] = "passkey",
        }));
        return new LoginPage(response, await response.Content.ReadAsStringAsync());
    }

    public Task<HttpResponseMessage> PostAsync(LoginPage page, string path, JsonObject body, bool antiforgery = true)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        request.Headers.Accept.ParseAdd("application/json");
        if (antiforgery)
        {
            request.Headers.Add("RequestVerificationToken", page.AntiforgeryToken);
        }

        return Client.SendAsync(request);
    }

    public Task<HttpResponseMessage> RegisterOptionsAsync(LoginPage codePage, string code) =>
        PostAsync(codePage, "/login/passkey/register/options", new JsonObject { ["attempt"] = codePage.AttemptId, ["code"] = code });

    public Task<HttpResponseMessage> RegisterAsync(LoginPage page, Guid ceremony, string credential) =>
        PostAsync(page, "/login/passkey/register", new JsonObject { ["ceremony"] = ceremony, ["credential"] = JsonNode.Parse(credential) });

    public Task<HttpResponseMessage> SignInOptionsAsync(LoginPage page) =>
        PostAsync(page, "/login/passkey/options", new JsonObject { ["request"] = page.RequestId });

    public Task<HttpResponseMessage> VerifyAsync(LoginPage page, Guid ceremony, string credential) =>
        PostAsync(page, "/login/passkey/verify", new JsonObject { ["ceremony"] = ceremony, ["credential"] = JsonNode.Parse(credential) });

    /// <summary>Page, email with the passkey intent, the code from the outbox: the registration ceremony.</summary>
    public async Task<(LoginPage Page, Challenge Challenge)> BeginRegistrationAsync(TestOrganization organization, string email, string? url = null)
    {
        var page = await login.OpenAsync(url ?? LoginUrl(organization));
        var codePage = await SubmitEmailForPasskeyAsync(page, email);
        Assert.True(codePage.Response.StatusCode == HttpStatusCode.OK, codePage.Html);
        return (codePage, await ChallengeAsync(await RegisterOptionsAsync(codePage, outbox.LatestCodeFor(email))));
    }

    /// <summary>A new login page and a sign-in ceremony on it.</summary>
    public async Task<(LoginPage Page, Challenge Challenge)> BeginSignInAsync(TestOrganization organization, string? url = null)
    {
        var page = await login.OpenAsync(url ?? LoginUrl(organization));
        return (page, await ChallengeAsync(await SignInOptionsAsync(page)));
    }

    /// <summary>Registers the authenticator's passkey for the email; returns where the browser goes next.</summary>
    public async Task<string> RegisterAsync(TestOrganization organization, string email, SoftwareAuthenticator authenticator)
    {
        var (page, challenge) = await BeginRegistrationAsync(organization, email);
        return await RedirectAsync(await RegisterAsync(page, challenge.Ceremony, authenticator.Register(challenge.Options)));
    }

    public async Task<string> SignInAsync(TestOrganization organization, SoftwareAuthenticator authenticator, string? url = null)
    {
        var (page, challenge) = await BeginSignInAsync(organization, url);
        return await RedirectAsync(await VerifyAsync(page, challenge.Ceremony, authenticator.Assert(challenge.Options)));
    }

    public static async Task<Challenge> ChallengeAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Expected a ceremony, got {(int)response.StatusCode}: {text}");
        var json = JsonDocument.Parse(text).RootElement;
        return new Challenge(json.GetProperty("ceremony").GetGuid(), json.GetProperty("options").Clone());
    }

    public static async Task<string> RedirectAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Expected a completed sign-in, got {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("redirectUrl").GetString()!;
    }

    public static string CodeOf(string redirectUrl) => QueryHelpers.ParseQuery(new Uri(redirectUrl).Query)["code"].ToString();
}
