using Microsoft.Extensions.Options;

namespace AuthServer.Features.Login;

/// <summary>
/// Login:* checked at start: a zero or negative lifetime or window (RateLimitWindow=00:00:00 divided by zero on the
/// first email) or a limit below one stops the server with the setting's name instead of failing a sign-in later.
/// </summary>
public sealed class LoginOptionsValidation : IValidateOptions<LoginOptions>
{
    public ValidateOptionsResult Validate(string? name, LoginOptions options)
    {
        var failures = new List<string>();
        Positive(options.AuthorizationRequestLifetime, nameof(options.AuthorizationRequestLifetime));
        Positive(options.AttemptLifetime, nameof(options.AttemptLifetime));
        Positive(options.CodeLifetime, nameof(options.CodeLifetime));
        Positive(options.RateLimitWindow, nameof(options.RateLimitWindow));
        if (options.ResendInterval < TimeSpan.Zero)
        {
            failures.Add($"{LoginOptions.Section}:{nameof(options.ResendInterval)} must not be negative.");
        }

        AtLeastOne(options.MaxWrongCodes, nameof(options.MaxWrongCodes));
        AtLeastOne(options.MaxAuthorizationRequestsPerIp, nameof(options.MaxAuthorizationRequestsPerIp));
        AtLeastOne(options.MaxEmailsPerAddress, nameof(options.MaxEmailsPerAddress));
        AtLeastOne(options.MaxEmailsPerIp, nameof(options.MaxEmailsPerIp));
        AtLeastOne(options.MaxCodeChecksPerIp, nameof(options.MaxCodeChecksPerIp));
        AtLeastOne(options.MaxCodeChecksPerAddress, nameof(options.MaxCodeChecksPerAddress));
        AtLeastOne(options.MaxConsecutiveFailedCodes, nameof(options.MaxConsecutiveFailedCodes));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Positive(TimeSpan value, string setting)
        {
            if (value <= TimeSpan.Zero)
            {
                failures.Add($"{LoginOptions.Section}:{setting} must be a positive duration (hh:mm:ss), not {value}.");
            }
        }

        void AtLeastOne(int value, string setting)
        {
            if (value < 1)
            {
                failures.Add($"{LoginOptions.Section}:{setting} must be at least 1, not {value}.");
            }
        }
    }
}
