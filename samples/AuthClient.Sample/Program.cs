using System.Text.Encodings.Web;
using AuthServer.Client;

// A minimal app that signs people in with AuthServer: see README.md.
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddAuthClient(builder.Configuration);
var app = builder.Build();

app.MapAuthClient("/api/auth");

app.MapGet("/", (HttpContext http) =>
{
    var user = http.GetAuthUser();
    var body = user is null
        ? """<p>You are not signed in.</p><p><a href="/api/auth/login?return_to=/account">Sign in</a></p>"""
        : $"""<p>Signed in as <b>{Html(user.Email)}</b>.</p><p><a href="/account">Your account</a> · <a href="/api/auth/logout">Sign out</a></p>""";
    return Page("AuthClient sample", body);
});

// Protected: a browser that is not signed in is sent to the login page and comes back here.
app.MapGet("/account", (HttpContext http) =>
{
    var user = http.GetAuthUser()!;
    return Page("Your account", $"""
        <img src="{Html(user.Gravatar ?? "")}?d=identicon&s=80" alt="" width="80" height="80">
        <dl>
          <dt>Email</dt><dd id="email">{Html(user.Email)}</dd>
          <dt>User id</dt><dd>{Html(user.Id)}</dd>
          <dt>Verified</dt><dd>{user.Verified}</dd>
          <dt>Organization</dt><dd>{Html(user.OrganizationId ?? "")}</dd>
          <dt>Last sign-in</dt><dd>{user.LastLogin:u}</dd>
        </dl>
        <p><a href="/">Home</a> · <a href="/api/auth/logout">Sign out</a></p>
        """);
}).RequireAuthorization();

app.Run();

static string Html(string value) => HtmlEncoder.Default.Encode(value);

static IResult Page(string title, string body) => Results.Content($"""
    <!doctype html>
    <html lang="en">
    <head><meta charset="utf-8"><title>{Html(title)}</title></head>
    <body style="font-family: system-ui, sans-serif; max-width: 40em; margin: 3em auto">
    <h1>{Html(title)}</h1>
    {body}
    </body>
    </html>
    """, "text/html; charset=utf-8");
