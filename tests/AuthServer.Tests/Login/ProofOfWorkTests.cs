using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using AuthServer.Features.Login.Challenge;
using AuthServer.Tests.Infrastructure;

namespace AuthServer.Tests.Login;

/// <summary>The escalating proof of work of the email step, solved here as the page's script solves it.</summary>
public sealed partial class ProofOfWorkTests(LoginServerFixture fixture) : IClassFixture<LoginServerFixture>
{
    private sealed record Puzzle(string Id, string Challenge, int Difficulty);

    private static Puzzle PuzzleOn(LoginDriver.LoginPage page)
    {
        var form = PuzzlePattern().Match(page.Html);
        Assert.True(form.Success, page.Html);
        return new Puzzle(page.Field("pow"), form.Groups[1].Value, int.Parse(form.Groups[2].Value));
    }

    private static string Solve(Puzzle puzzle)
    {
        for (var counter = 0L; ; counter++)
        {
            var text = counter.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (ProofOfWork.LeadingZeroBits(SHA256.HashData(Encoding.ASCII.GetBytes(puzzle.Challenge + ":" + text))) >= puzzle.Difficulty)
            {
                return text;
            }
        }
    }

    private static async Task<LoginDriver.LoginPage> SubmitAsync(LoginDriver driver, LoginDriver.LoginPage page, string email, Puzzle? puzzle = null, string? counter = null)
    {
        var fields = new Dictionary<string, string> { ["request"] = page.RequestId, ["__RequestVerificationToken"] = page.AntiforgeryToken, ["email"] = email };
        if (puzzle is not null)
        {
            fields["pow"] = puzzle.Id;
            fields["pow_counter"] = counter ?? Solve(puzzle);
        }

        var response = await driver.Client.PostAsync("/login/email", new FormUrlEncodedContent(fields));
        return new LoginDriver.LoginPage(response, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task After_the_threshold_the_email_step_needs_a_solved_puzzle_that_works_once_and_gets_harder()
    {
        var organization = await fixture.CreateOrganizationAsync(o => o.Settings.ProofOfWorkThreshold = 2);
        var email = $"pow-{Guid.NewGuid():N}@example.com";
        using var driver = fixture.Driver();
        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization));

        // Under the threshold: no challenge.
        Assert.Equal(HttpStatusCode.OK, (await SubmitAsync(driver, page, email)).Response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SubmitAsync(driver, page, email)).Response.StatusCode);

        // At it: captchaInvalid with a puzzle and a clear message, nothing sent.
        var sentBefore = fixture.Outbox.CountTo(email);
        var asked = await SubmitAsync(driver, page, email);
        Assert.Equal(HttpStatusCode.BadRequest, asked.Response.StatusCode);
        Assert.Contains("short security check", asked.Html);
        Assert.DoesNotContain("id=\"form-error\"", asked.Html);
        Assert.Contains("role=\"status\"", asked.Html);
        var puzzle = PuzzleOn(asked);
        Assert.Equal(ProofOfWork.BaseDifficulty, puzzle.Difficulty);

        // A wrong answer spends the puzzle; the page gets a new one.
        var wrong = await SubmitAsync(driver, asked, email, puzzle, WrongCounter(puzzle));
        Assert.Equal(HttpStatusCode.BadRequest, wrong.Response.StatusCode);
        var next = PuzzleOn(wrong);
        Assert.NotEqual(puzzle.Id, next.Id);

        // Solved: the code is sent.
        var counter = Solve(next);
        var solved = await SubmitAsync(driver, wrong, email, next, counter);
        Assert.Equal(HttpStatusCode.OK, solved.Response.StatusCode);
        Assert.Equal(sentBefore + 1, fixture.Outbox.CountTo(email));

        // Replayed: refused, and the new puzzle is harder (one more attempt over the threshold counts).
        var replayed = await SubmitAsync(driver, wrong, email, next, counter);
        Assert.Equal(HttpStatusCode.BadRequest, replayed.Response.StatusCode);
        Assert.Contains("already used", replayed.Html);
        Assert.Equal(sentBefore + 1, fixture.Outbox.CountTo(email));
        Assert.True(PuzzleOn(replayed).Difficulty >= next.Difficulty);
    }

    [Fact]
    public async Task One_solution_sent_twice_at_once_sends_one_email()
    {
        var organization = await fixture.CreateOrganizationAsync(o => o.Settings.ProofOfWorkThreshold = 1);
        var email = $"pow-race-{Guid.NewGuid():N}@example.com";
        using var driver = fixture.Driver();
        var page = await driver.OpenAsync(LoginDriver.LoginUrl(organization));
        Assert.Equal(HttpStatusCode.OK, (await SubmitAsync(driver, page, email)).Response.StatusCode);
        var asked = await SubmitAsync(driver, page, email);
        var puzzle = PuzzleOn(asked);
        var counter = Solve(puzzle);
        var before = fixture.Outbox.CountTo(email);

        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => SubmitAsync(driver, asked, email, puzzle, counter)));

        Assert.Single(answers, a => a.Response.StatusCode == HttpStatusCode.OK);
        Assert.Equal(3, answers.Count(a => a.Response.StatusCode == HttpStatusCode.BadRequest));
        Assert.Equal(before + 1, fixture.Outbox.CountTo(email));
    }

    [Fact]
    public async Task A_puzzle_of_another_login_page_is_refused()
    {
        var organization = await fixture.CreateOrganizationAsync(o => o.Settings.ProofOfWorkThreshold = 1);
        var email = $"pow-bound-{Guid.NewGuid():N}@example.com";
        using var driver = fixture.Driver();
        var first = await driver.OpenAsync(LoginDriver.LoginUrl(organization));
        await SubmitAsync(driver, first, email);
        var puzzle = PuzzleOn(await SubmitAsync(driver, first, email));

        var otherPage = await driver.OpenAsync(LoginDriver.LoginUrl(organization));
        var refused = await SubmitAsync(driver, otherPage, email, puzzle);

        Assert.Equal(HttpStatusCode.BadRequest, refused.Response.StatusCode);
        Assert.Contains("already used or has expired", refused.Html);
    }

    private static string WrongCounter(Puzzle puzzle)
    {
        for (var counter = 0L; ; counter++)
        {
            var text = counter.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (ProofOfWork.LeadingZeroBits(SHA256.HashData(Encoding.ASCII.GetBytes(puzzle.Challenge + ":" + text))) < puzzle.Difficulty)
            {
                return text;
            }
        }
    }

    [GeneratedRegex("data-pow-challenge=\"([0-9a-f]+)\" data-pow-difficulty=\"([0-9]+)\"")]
    private static partial Regex PuzzlePattern();
}
