namespace AuthServer.Errors;

/// <summary>Puts <see cref="ErrorHandlingMiddleware"/> outermost, before anything else in the pipeline.</summary>
public sealed class ErrorHandlingStartupFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.UseMiddleware<ErrorHandlingMiddleware>();
        next(app);
    };
}
