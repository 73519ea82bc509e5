using AuthServer.Data.Entities;
using AuthServer.Features.Organizations;

namespace AuthServer.Features.SignIn;

/// <summary>
/// A protocol face (the CentralAuth-style API, OpenID Connect): it owns how a completed or refused sign-in goes
/// back to the app. The core never branches on which face started a request.
/// </summary>
public interface ISignInFace
{
    AuthorizationFace Face { get; }

    /// <summary>
    /// Issues what the app receives for the new session (added to the caller's unit of work, committed with the
    /// session) and returns where the browser goes next.
    /// </summary>
    string Complete(CachedOrganization organization, AuthorizationRequest request, Session session);

    /// <summary>The redirect that carries a refusal back to the app, in this face's error vocabulary.</summary>
    string ErrorRedirect(AuthorizationRequest request, RuleViolation violation);
}

/// <summary>The registered faces, by the value stored on each request.</summary>
public sealed class SignInFaces(IEnumerable<ISignInFace> faces)
{
    private readonly Dictionary<AuthorizationFace, ISignInFace> _faces = faces.ToDictionary(f => f.Face);

    public ISignInFace For(AuthorizationRequest request) =>
        _faces.TryGetValue(request.Face, out var face) ? face : throw new InvalidOperationException($"No face is registered for {request.Face}.");
}
