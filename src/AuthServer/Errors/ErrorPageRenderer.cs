namespace AuthServer.Errors;

/// <summary>Renders a catalog error as a page for a browser (the hosted login page's style).</summary>
public interface IErrorPageRenderer
{
    Task RenderAsync(HttpContext context, AuthError error);
}
