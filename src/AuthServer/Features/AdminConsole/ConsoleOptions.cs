using System.ComponentModel.DataAnnotations;

namespace AuthServer.Features.AdminConsole;

/// <summary>
/// Settings of the admin console (section "Console"). The session limits are written into the system
/// organization's settings at every start, so <see cref="Sessions.SessionValidator"/> applies them to console
/// sessions exactly as it applies any organization's limits.
/// </summary>
public sealed class ConsoleOptions
{
    public const string Section = "Console";

    /// <summary>A console session unused this long ends (default 15 minutes).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan MaxInactivityTime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>A console session ends this long after sign-in whatever its activity (default 8 hours).</summary>
    [Range(typeof(TimeSpan), "00:05:00", "30.00:00:00")]
    public TimeSpan MaxSessionTime { get; set; } = TimeSpan.FromHours(8);
}
