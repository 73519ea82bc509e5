using AuthServer.Features.AdminConsole.Components;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AuthServer.Features.AdminConsole;

public enum ConsoleMessageKind
{
    SignedOut,
    SignInFailed,
    NotAdministrator,
    FormRefused,
}

/// <summary>The console's stand-alone pages (outside its layout): signed out, sign-in failed, not an administrator.</summary>
public static class ConsoleResults
{
    public static IResult Message(ConsoleMessageKind kind, int status, string? detail) =>
        new RazorComponentResult<ConsoleMessagePage>(new Dictionary<string, object?>
        {
            [nameof(ConsoleMessagePage.Kind)] = kind,
            [nameof(ConsoleMessagePage.Detail)] = detail,
        })
        { StatusCode = status };
}
