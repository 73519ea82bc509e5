namespace AuthServer.Features.AdminConsole;

/// <summary>The console's paths, in one place.</summary>
public static class ConsoleRoutes
{
    public const string Home = "/admin";
    public const string SignIn = "/admin/signin";
    public const string Callback = "/admin/callback";
    public const string SignedOut = "/admin/signed-out";
    public const string SignOut = "/admin/signout";
    public const string Organizations = "/admin/organizations";
    public const string Users = "/admin/users";
    public const string ApiKeys = "/admin/api-keys";
    public const string AuditLog = "/admin/audit";
    public const string MailLog = "/admin/mail";
    public const string Administrators = "/admin/administrators";

    public static string Organization(Guid id) => $"{Organizations}/{id}";

    public static string User(Guid id) => $"{Users}/{id}";

    /// <summary>A path to go back to after sign-in: only a console path of this server, never another site.</summary>
    public static string SafeReturnTo(string? returnTo) =>
        returnTo is not null && returnTo.StartsWith(Home, StringComparison.Ordinal) && !returnTo.Contains('\\', StringComparison.Ordinal)
            && (returnTo.Length == Home.Length || returnTo[Home.Length] is '/' or '?')
            ? returnTo
            : Home;
}
