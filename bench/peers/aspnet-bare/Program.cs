// Not a peer: the smallest ASP.NET Core server (one endpoint, default host), so the footprint table shows
// how much of a .NET server's idle memory and start-up time is the runtime and ASP.NET Core themselves.
var app = WebApplication.CreateBuilder(args).Build();
app.MapGet("/ready", () => "ready");
app.Run();
