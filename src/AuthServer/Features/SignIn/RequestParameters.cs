using AuthServer.Errors;
using AuthServer.Hosting.Http;
using Microsoft.Extensions.Primitives;

namespace AuthServer.Features.SignIn;

/// <summary>
/// The parameters of an authorization request, read strictly: each at most once (RFC 6749 §3.1: "parameters
/// MUST NOT be included more than once"), no control characters, valid UTF-8, within its length limit
/// (<see cref="AuthorizationRequestLimits"/>). A faulty parameter is left out and the first fault is kept in
/// <see cref="Fault"/>: the caller still needs client_id and redirect_uri to decide whether it may redirect.
/// </summary>
public sealed class RequestParameters
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _faulty = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _refused = new(StringComparer.Ordinal);

    /// <summary>The first parameter at fault, as the catalog error the CentralAuth face returns.</summary>
    public AuthError? Fault { get; private set; }

    /// <summary>The value of a parameter, or null when absent, empty (RFC 6749 §3.1: empty counts as omitted) or faulty.</summary>
    public string? this[string name] => _values.TryGetValue(name, out var value) && value.Length > 0 ? value : null;

    /// <summary>Whether the parameter was sent but refused (sent twice, malformed, too long).</summary>
    public bool IsFaulty(string name) => _faulty.Contains(name);

    /// <summary>
    /// The value as received, even when refused, if it was sent once: RFC 6749 §4.1.2.1 returns "the exact value
    /// received" as state in an error. Only for the redirect's query (encoded there), never stored.
    /// </summary>
    public string? Received(string name) => this[name] ?? (_refused.TryGetValue(name, out var value) ? value : null);

    /// <summary>
    /// Reads a query or form. <paramref name="rawQuery"/> (the query string as sent, still percent-encoded) is
    /// checked for invalid UTF-8, which ASP.NET Core's decoding would otherwise pass on as the literal escapes.
    /// </summary>
    public static RequestParameters Read(IEnumerable<KeyValuePair<string, StringValues>> source, string? rawQuery = null)
    {
        var parameters = new RequestParameters();
        if (!string.IsNullOrEmpty(rawQuery) && PercentEncoding.FirstInvalid(rawQuery) is { } invalid)
        {
            var name = invalid.Length == 0 ? "query" : invalid;
            parameters._faulty.Add(name);
            parameters.Fault = FaultOf(name, "The value is not valid UTF-8.");
        }

        var total = 0;
        foreach (var (name, raw) in source)
        {
            total += name.Length;
            foreach (var value in raw)
            {
                total += value?.Length ?? 0;
            }

            if (parameters._values.Count + parameters._faulty.Count >= AuthorizationRequestLimits.ParameterCount || total > AuthorizationRequestLimits.Total)
            {
                parameters.Fault ??= AuthError.EntityInvalid("query", "The request has too many or too long parameters.");
                break;
            }

            if (parameters._faulty.Contains(name))
            {
                continue;
            }

            var fault = raw.Count > 1 ? FaultOf(name, "The parameter was sent more than once.") : Check(name, raw.Count == 0 ? "" : raw[0] ?? "");
            if (fault is not null)
            {
                parameters._faulty.Add(name);
                parameters.Fault ??= fault;
                if (raw.Count == 1)
                {
                    parameters._refused[name] = raw[0] ?? "";
                }

                continue;
            }

            parameters._values[name] = raw.Count == 0 ? "" : raw[0] ?? "";
        }

        return parameters;
    }

    /// <summary>Reads named values (a JSON body's fields) by the same rules.</summary>
    public static RequestParameters Read(params (string Name, string? Value)[] values) =>
        Read(values.Where(v => v.Value is not null).Select(v => new KeyValuePair<string, StringValues>(v.Name, v.Value)));

    /// <summary>One parameter's name and value against the rules; null when it passes.</summary>
    public static AuthError? Check(string name, string value)
    {
        if (name.Length > 64 || HasForbiddenCharacter(name))
        {
            return AuthError.EntityInvalid("query", "A parameter name is malformed.");
        }

        if (HasForbiddenCharacter(value))
        {
            // Note: ASP.NET Core decodes invalid UTF-8 sequences to U+FFFD, so it stands for invalid input here.
            return FaultOf(name, "The value contains control characters or is not valid UTF-8.");
        }

        var limit = AuthorizationRequestLimits.For(name);
        return value.Length > limit ? FaultOf(name, $"The value is longer than {limit} characters.") : null;
    }

    /// <summary>The catalog code the CentralAuth face has for a faulty parameter; entityInvalid for the rest.</summary>
    private static AuthError FaultOf(string name, string message) => name switch
    {
        "state" => AuthError.StateInvalid() with { Message = message, Details = [new ErrorDetail(name, message)] },
        "code_challenge" => AuthError.CodeChallengeInvalid(message) with { Details = [new ErrorDetail(name, message)] },
        "redirect_uri" => AuthError.CallbackUrlInvalid(message),
        _ => AuthError.EntityInvalid(name, message),
    };

    private static bool HasForbiddenCharacter(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }

            // Control characters (NUL included), U+FFFD and lone surrogates (not encodable as UTF-8).
            if (char.IsControl(c) || c == '\uFFFD' || char.IsSurrogate(c))
            {
                return true;
            }
        }

        return false;
    }
}
