using AuthServer.Data;
using AuthServer.Features.Admin;
using AuthServer.Features.Audit;
using Microsoft.EntityFrameworkCore;

namespace AuthServer.Features.AdminConsole;

/// <summary>One group of the dashboard's aggregate: sign-ins of one method on one day with one outcome.</summary>
public sealed record SignInCount(DateTime Day, string Action, string Status, int Count);

/// <summary>Sign-ins per day and method, and failures by error code, over the last days.</summary>
public sealed record SignInStatisticsView(DateOnly First, int Days, IReadOnlyList<SignInCount> Rows)
{
    /// <summary>The login methods that appear, in a stable order (signin.email, signin.passkey, ...).</summary>
    public IReadOnlyList<string> Methods => Rows.Select(r => r.Action).Distinct().Order(StringComparer.Ordinal).ToList();

    public int Successes(DateOnly day, string action) =>
        Rows.Where(r => DateOnly.FromDateTime(r.Day) == day && r.Action == action && r.Status == AuditTrail.Success).Sum(r => r.Count);

    public int Failures(DateOnly day) =>
        Rows.Where(r => DateOnly.FromDateTime(r.Day) == day && r.Status != AuditTrail.Success).Sum(r => r.Count);

    /// <summary>Failures of the whole period by errorCode, most frequent first.</summary>
    public IReadOnlyList<(string Code, int Count)> FailuresByCode =>
        Rows.Where(r => r.Status != AuditTrail.Success).GroupBy(r => r.Status)
            .Select(g => (g.Key, g.Sum(r => r.Count))).OrderByDescending(g => g.Item2).ThenBy(g => g.Key, StringComparer.Ordinal).ToList();

    public IEnumerable<DateOnly> DaysInOrder => Enumerable.Range(0, Days).Select(First.AddDays);
}

/// <summary>
/// The dashboard's numbers, read from the audit log (every sign-in outcome is an entry <c>signin.&lt;method&gt;</c>
/// with status "success" or the errorCode): one aggregate query grouped by day, method and outcome, over the
/// (Action, Created) index, scoped to the caller's organizations.
/// </summary>
public sealed class SignInStatistics(AuthDbContext db, TimeProvider clock)
{
    public const int Days = 30;

    public async Task<SignInStatisticsView> ReadAsync(AdminCaller caller, CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var first = today.AddDays(1 - Days);
        var since = new DateTimeOffset(first.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        // Plain ADO.NET on the context's connection: the compiled EF model has no type for an ad-hoc row shape.
        var connection = db.Database.GetDbConnection();
        var opened = connection.State != System.Data.ConnectionState.Open;
        if (opened)
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
        }

        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = """
                SELECT date_trunc('day', "Created" AT TIME ZONE 'UTC') AS "Day", "Action", "Status", count(*)::int AS "Count"
                FROM audit_log
                WHERE "Action" LIKE 'signin.%' AND "Created" >= @since
                """ + (caller.Organizations is null ? "" : """ AND "OrganizationId" = ANY(@scope)""") + " GROUP BY 1, 2, 3";
            command.Parameters.Add(new Npgsql.NpgsqlParameter("since", since));
            if (caller.Organizations is { } scope)
            {
                command.Parameters.Add(new Npgsql.NpgsqlParameter("scope", scope.ToArray()));
            }

            var rows = new List<SignInCount>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add(new SignInCount(reader.GetDateTime(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3)));
            }

            return new SignInStatisticsView(first, Days, rows);
        }
        finally
        {
            if (opened)
            {
                await db.Database.CloseConnectionAsync();
            }
        }
    }
}
