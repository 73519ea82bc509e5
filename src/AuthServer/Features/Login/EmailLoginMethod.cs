using AuthServer.Data.Entities;
using AuthServer.Features.Organizations;
using AuthServer.Features.Sessions;
using AuthServer.Features.SignIn;

namespace AuthServer.Features.Login;

/// <summary>
/// The emailed code or link: the email form (<see cref="EmailSignInFragment"/>), then the code form
/// (<see cref="EmailCodeStep"/>) or "check your email" (<see cref="EmailLinkSentStep"/>); endpoints in <see cref="EmailLoginEndpoints"/>.
/// </summary>
public sealed class EmailLoginMethod : ILoginMethod
{
    public const string MethodName = "email";

    public string Name => MethodName;
    public string Amr => SessionService.MethodEmail;
    public int Order => 20;
    public Type Fragment => typeof(EmailSignInFragment);

    public bool IsEnabled(CachedOrganization organization, AuthorizationRequest request) => organization.Connections.Email;

    public void MapEndpoints(IEndpointRouteBuilder app) => app.MapEmailLogin();
}
