using AuthServer.Pages;
using Microsoft.AspNetCore.Components;

namespace AuthServer.Features.Login.Page;

/// <summary>
/// The base of every component of the login page (a login method's fragment, a later step): the page's
/// <see cref="PageContext"/> (language, strings, branding) and the <see cref="LoginPageModel"/> of this rendering.
/// </summary>
public abstract class LoginPageComponent : ComponentBase
{
    [CascadingParameter] public required PageContext Page { get; set; }

    [Parameter, EditorRequired] public required LoginPageModel Model { get; set; }

    /// <summary>The page's strings: <c>Text["continue"]</c>, the key a literal that is in every resource file.</summary>
    protected PageText Text => Page.Text;
}

/// <summary>
/// A login method's part of the page's first step (<see cref="SignIn.ILoginMethod.Fragment"/>). When other
/// methods follow, <see cref="Divider"/> ("or") is set: draw it at the end, inside the fragment's element, so a
/// fragment the script hides (a passkey button where the browser has no WebAuthn) hides its divider too.
/// </summary>
public abstract class LoginMethodFragment : LoginPageComponent
{
    [Parameter] public RenderFragment? Divider { get; set; }
}
