using AuthServer.Errors;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AuthServer.Features.Admin;

/// <summary>A catalog error as a typed endpoint result, so handlers can declare <c>Results&lt;Ok&lt;T&gt;, AdminError&gt;</c>.</summary>
public sealed class AdminError(AuthError error) : IResult
{
    public AuthError Error { get; } = error;

    public Task ExecuteAsync(HttpContext httpContext) => ErrorResponses.WriteAsync(httpContext, Error);
}

public static class AdminResults
{
    /// <summary>The value as <paramref name="ok"/>'s result, or the error.</summary>
    public static Results<TResult, AdminError> Respond<T, TResult>(this Outcome<T> outcome, Func<T, TResult> ok) where TResult : IResult =>
        outcome.Failed ? new AdminError(outcome.Error!) : ok(outcome.Value!);

    public static Results<Ok<T>, AdminError> RespondOk<T>(this Outcome<T> outcome) => outcome.Respond(TypedResults.Ok);

    public static Results<NoContent, AdminError> RespondNoContent<T>(this Outcome<T> outcome) => outcome.Respond(_ => TypedResults.NoContent());
}
