using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using AuthServer.AuthClientTests.Infrastructure;
using AuthServer.Features.Organizations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace AuthServer.AuthClientTests;

/// <summary>
/// What a new developer does, by the README: pack the library into a local feed with the script, add the
/// package to a fresh web app, paste the ten lines, run it, and sign in in a real browser (Chromium).
/// </summary>
[Collection(ClientCollection.Name)]
public sealed class PackageTests(ClientFixture fixture)
{
    [Fact]
    public async Task The_packed_package_in_a_fresh_app_signs_a_person_in_end_to_end()
    {
        var repo = RepositoryRoot();
        var work = Directory.CreateTempSubdirectory("authclient-package-");
        Process? app = null;
        try
        {
            var feed = Path.Combine(work.FullName, "feed");
            await RunAsync(Path.Combine(repo, "scripts", "pack-client.sh"), $"\"{feed}\"", repo);

            // The package: both targets (.NET 8 LTS and .NET 10), the licence, the readme, and a symbols package.
            var package = Assert.Single(Directory.GetFiles(feed, "AuthServer.Client.*.nupkg"));
            Assert.Single(Directory.GetFiles(feed, "AuthServer.Client.*.snupkg"));
            Assert.Equal(2, Directory.GetFiles(feed).Length);
            using (var zip = ZipFile.OpenRead(package))
            {
                var entries = zip.Entries.Select(e => e.FullName).ToList();
                Assert.Contains("lib/net8.0/AuthServer.Client.dll", entries);
                Assert.Contains("lib/net10.0/AuthServer.Client.dll", entries);
                Assert.Contains("README.md", entries);
                using var nuspec = new StreamReader(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
                var metadata = await nuspec.ReadToEndAsync();
                Assert.Contains("<license type=\"expression\">Apache-2.0</license>", metadata);
                Assert.Contains("AuthServer contributors", metadata);
            }

            var version = Path.GetFileNameWithoutExtension(package)["AuthServer.Client.".Length..];
            var appDir = Directory.CreateDirectory(Path.Combine(work.FullName, "my-app")).FullName;
            var port = TestApp.FreePort();
            var origin = $"http://localhost:{port}";
            await using (var scope = fixture.Server.Services.CreateAsyncScope())
            {
                var created = await scope.ServiceProvider.GetRequiredService<OrganizationService>()
                    .CreateAsync("Fresh app", [origin], o => o.Settings.AllowLocalhost = true, CancellationToken.None);
                WriteFreshApp(appDir, feed, version, fixture.ServerUrl, created.Organization.Id.ToString(), created.Secret, origin);
            }

            await RunAsync("dotnet", "build -c Release -nologo -v quiet", appDir);
            app = Process.Start(new ProcessStartInfo("dotnet", Path.Combine(appDir, "bin", "Release", "net10.0", "my-app.dll"))
            {
                WorkingDirectory = appDir,
                Environment = { ["ASPNETCORE_URLS"] = origin, ["ASPNETCORE_ENVIRONMENT"] = "Production" },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            app.OutputDataReceived += (_, _) => { };
            app.ErrorDataReceived += (_, _) => { };
            app.BeginOutputReadLine();
            app.BeginErrorReadLine();
            await WaitUntilListeningAsync(origin);

            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new()
            {
                ExecutablePath = Environment.GetEnvironmentVariable("AUTH_TEST_CHROMIUM") ?? "/usr/bin/chromium",
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
            });
            var page = await browser.NewPageAsync();
            var email = $"fresh-{Guid.NewGuid():N}@example.com";

            // The protected page sends the browser to the server's login page.
            await page.GotoAsync(origin + "/");
            await page.GetByLabel("Email address").FillAsync(email);
            await page.Keyboard.PressAsync("Enter");
            await Assertions.Expect(page.GetByLabel("Code")).ToBeVisibleAsync();
            await page.GetByLabel("Code").FillAsync(await CodeForAsync(email));
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            // Chromium has WebAuthn and the person has no passkey: the server offers one before the app.
            await page.GetByRole(AriaRole.Button, new() { Name = "Not now" }).ClickAsync();

            await Assertions.Expect(page).ToHaveURLAsync(origin + "/", new() { Timeout = 30_000 });
            await Assertions.Expect(page.Locator("body")).ToHaveTextAsync($"Hello {email}");

            // And out again, onto a page that does not bounce back to the login page.
            await page.GotoAsync(origin + "/api/auth/logout");
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "You are signed out" })).ToBeVisibleAsync();

            // The same app builds for .NET 8 (LTS) too, taking the package's net8.0 assembly.
            var app8Dir = Directory.CreateDirectory(Path.Combine(work.FullName, "my-app8")).FullName;
            WriteFreshApp(app8Dir, feed, version, fixture.ServerUrl, fixture.ClientId, fixture.Secret, origin, "net8.0");
            await RunAsync("dotnet", "build -c Release -nologo -v quiet -p:UseAppHost=false", app8Dir);
            var deps = await File.ReadAllTextAsync(Path.Combine(app8Dir, "bin", "Release", "net8.0", "my-app.deps.json"));
            Assert.Contains("lib/net8.0/AuthServer.Client.dll", deps);
        }
        finally
        {
            if (app is { HasExited: false })
            {
                app.Kill(entireProcessTree: true);
                await app.WaitForExitAsync();
            }

            app?.Dispose();
            work.Delete(recursive: true);
        }
    }

    /// <summary>`dotnet new web` plus the README's install command and ten lines, written out (no template download needed).</summary>
    private static void WriteFreshApp(string dir, string feed, string version, string serverUrl, string clientId, string secret, string origin,
        string targetFramework = "net10.0")
    {
        File.WriteAllText(Path.Combine(dir, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="authserver-local" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(dir, "my-app.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk.Web">
              <PropertyGroup>
                <TargetFramework>{targetFramework}</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="AuthServer.Client" Version="{version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(dir, "Program.cs"), """
            using AuthServer.Client;

            var builder = WebApplication.CreateBuilder(args);
            builder.Services.AddAuthClient(builder.Configuration);           // reads the "AuthClient" section
            var app = builder.Build();

            app.MapAuthClient("/api/auth");                                  // login, callback, user, logout
            app.MapGet("/", (HttpContext http) => $"Hello {http.GetAuthUser()!.Email}").RequireAuthorization();
            app.Run();
            """);
        File.WriteAllText(Path.Combine(dir, "appsettings.json"), $$"""
            {
              "AuthClient": {
                "ClientId": "{{clientId}}",
                "Secret": "{{secret}}",
                "AuthBaseUrl": "{{serverUrl}}",
                "CallbackUrl": "{{origin}}/api/auth/callback"
              }
            }
            """);
    }

    private async Task<string> CodeForAsync(string email)
    {
        for (var i = 0; i < 100; i++)
        {
            try
            {
                return fixture.Outbox.LatestCodeFor(email);
            }
            catch (InvalidOperationException) when (i < 99)
            {
                await Task.Delay(100);
            }
        }

        throw new InvalidOperationException("unreachable");
    }

    private static async Task WaitUntilListeningAsync(string origin)
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        for (var i = 0; i < 300; i++)
        {
            try
            {
                if ((await http.GetAsync(origin + "/api/auth/signed-out")).StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"The fresh app did not start listening on {origin}.");
    }

    private static async Task RunAsync(string file, string arguments, string workingDirectory)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"{file} {arguments} failed ({process.ExitCode}):\n{await output}\n{await error}");
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AuthServer.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (AuthServer.sln) was not found.");
    }
}
