using AuthServer.Data.Entities;
using AuthServer.Features.SignIn;
using AuthServer.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace AuthServer.Tests.SignIn;

/// <summary>
/// No accepted value can overflow a column: every length-limited column of authorization_requests is at least as
/// long as the longest value the parser lets through for it (the 500 of a 1,500-character state was this).
/// </summary>
public sealed class ColumnLimitTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    /// <summary>Each length-limited column and the request parameter whose value it stores.</summary>
    private static readonly (string Property, string Parameter)[] Limited =
    [
        (nameof(AuthorizationRequest.State), "state"),
        (nameof(AuthorizationRequest.RedirectUri), "redirect_uri"),
        (nameof(AuthorizationRequest.CodeChallenge), "code_challenge"),
        (nameof(AuthorizationRequest.Nonce), "nonce"),
        (nameof(AuthorizationRequest.Scope), "scope"),
        (nameof(AuthorizationRequest.LoginHint), "login_hint"),
        (nameof(AuthorizationRequest.UiLocales), "ui_locales"),
    ];

    public static TheoryData<string, string> Columns()
    {
        var data = new TheoryData<string, string>();
        foreach (var (property, parameter) in Limited)
        {
            data.Add(property, parameter);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Columns))]
    public async Task Column_is_at_least_as_long_as_the_parser_allows(string property, string parameter)
    {
        var maxLength = await fixture.Factory.WithDbAsync(db =>
            Task.FromResult(db.Model.FindEntityType(typeof(AuthorizationRequest))!.FindProperty(property)!.GetMaxLength()));

        Assert.NotNull(maxLength);
        Assert.True(maxLength >= AuthorizationRequestLimits.For(parameter),
            $"{property} holds {maxLength} characters; the parser accepts {AuthorizationRequestLimits.For(parameter)} for {parameter}.");
    }

    [Fact]
    public async Task Every_other_text_column_of_a_request_is_unbounded_or_listed_above()
    {
        var limited = await fixture.Factory.WithDbAsync(db => Task.FromResult(db.Model.FindEntityType(typeof(AuthorizationRequest))!.GetProperties()
            .Where(p => p.ClrType == typeof(string) && p.GetMaxLength() is not null).Select(p => p.Name).Order().ToList()));

        Assert.Equal(Limited.Select(c => c.Property).Order(), limited);
    }
}
