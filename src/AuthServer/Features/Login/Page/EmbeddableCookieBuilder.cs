namespace AuthServer.Features.Login.Page;

/// <summary>
/// The anti-forgery cookie is SameSite=Strict, except on an embedded page (embed=1) served over https: a
/// browser sends no Strict or Lax cookie from inside another site's iframe, so there it is SameSite=None;
/// Secure, and the anti-forgery token in the form still protects the post.
/// </summary>
public sealed class EmbeddableCookieBuilder : CookieBuilder
{
    public const string EmbedItem = "AuthServer.EmbeddedPage";

    public static void MarkEmbedded(HttpContext context) => context.Items[EmbedItem] = true;

    public override CookieOptions Build(HttpContext context, DateTimeOffset expiresFrom)
    {
        var options = base.Build(context, expiresFrom);
        if (context.Request.IsHttps && context.Items.ContainsKey(EmbedItem))
        {
            options.SameSite = SameSiteMode.None;
            options.Secure = true;
        }

        return options;
    }
}
