using AuthServer.Errors;
using AuthServer.Features.Admin;
using Microsoft.AspNetCore.Components;

namespace AuthServer.Features.AdminConsole.Components;

/// <summary>
/// What every console page has: the signed-in administrator as an <see cref="AdminCaller"/> (so the admin
/// services apply the same permission checks as for an API key), and the error or notice to show.
/// </summary>
public abstract class ConsolePage : ComponentBase
{
    [CascadingParameter] public HttpContext HttpContext { get; set; } = default!;

    protected AdminCaller Caller => ConsoleAdministrator.From(HttpContext).Caller;

    protected CancellationToken Aborted => HttpContext.RequestAborted;

    /// <summary>The refusal to show (the catalog's error, with its details).</summary>
    protected AuthError? Problem { get; set; }

    /// <summary>What an action did, to confirm it.</summary>
    protected string? Done { get; set; }

    /// <summary>
    /// Shows the error and answers with its status: an object of another organization is 403 (noPermission),
    /// one that does not exist 404 (entityMissing), an invalid form 400.
    /// </summary>
    protected void Fail(AuthError error)
    {
        Problem = error;
        AnswerWith(error.Status);
    }

    private int? status;

    /// <summary>
    /// The page's status, set as the response starts rather than while rendering: a page that sets 404 while it
    /// renders has its body dropped by the framework (it leaves a not-found answer to the status-code pages, which
    /// would show the hosted login's error page instead of the console).
    /// </summary>
    protected void AnswerWith(int code)
    {
        if (status is null && !HttpContext.Response.HasStarted)
        {
            var response = HttpContext.Response;
            response.OnStarting(() =>
            {
                // Only over the page's own 200: a redirect or an error answer written after it keeps its status.
                if (response.StatusCode == StatusCodes.Status200OK)
                {
                    response.StatusCode = status!.Value;
                }

                return Task.CompletedTask;
            });
        }

        status = code;
    }

    /// <summary>The value, or null after showing the error.</summary>
    protected T? Take<T>(Outcome<T> outcome) where T : class
    {
        if (outcome.Failed)
        {
            Fail(outcome.Error!);
            return null;
        }

        return outcome.Value;
    }

    /// <summary>True when the action succeeded (then <paramref name="done"/> is shown); otherwise the error is shown.</summary>
    protected bool Succeeded<T>(Outcome<T> outcome, string done)
    {
        if (outcome.Failed)
        {
            Fail(outcome.Error!);
            return false;
        }

        Problem = null;
        Done = done;
        return true;
    }

    /// <summary>The organizations the caller may see (at most 100, oldest first), for an organization picker.</summary>
    protected async Task<IReadOnlyList<OrganizationView>> VisibleOrganizationsAsync(OrganizationAdmin organizations)
    {
        var page = await organizations.ListVisibleAsync(Caller, null, new PageQuery { LimitPerPage = PageQuery.MaxLimit.ToString(System.Globalization.CultureInfo.InvariantCulture) }, Aborted);
        return page.Value?.Data ?? [];
    }

    protected static string Time(DateTimeOffset? time) =>
        time is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture) : "–";
}
