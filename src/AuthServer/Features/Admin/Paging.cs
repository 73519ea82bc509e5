using System.Globalization;
using AuthServer.Errors;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace AuthServer.Features.Admin;

/// <summary>
/// The paging query of every admin list: <c>pageIndex</c> (0-based) and <c>limitPerPage</c> (default 20,
/// at most 100). Read as text so a bad value is reported with its own name in <c>details</c>.
/// </summary>
public sealed class PageQuery
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;

    /// <summary>0-based page number (default 0).</summary>
    [FromQuery(Name = "pageIndex")]
    public string? PageIndex { get; init; }

    /// <summary>Entities per page, 1 to 100 (default 20).</summary>
    [FromQuery(Name = "limitPerPage")]
    public string? LimitPerPage { get; init; }

    public Outcome<Paging> Validate()
    {
        var details = new List<ErrorDetail>();
        var index = Parse(PageIndex, 0, "pageIndex", 0, int.MaxValue, details);
        var limit = Parse(LimitPerPage, DefaultLimit, "limitPerPage", 1, MaxLimit, details);
        return details.Count > 0 ? AuthError.EntityInvalid(details) : new Paging(index, limit);
    }

    private static int Parse(string? text, int fallback, string name, int min, int max, List<ErrorDetail> details)
    {
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            details.Add(new ErrorDetail(name, $"Must be a whole number from {min} to {max}."));
            return fallback;
        }

        return value;
    }
}

public sealed record Paging(int PageIndex, int LimitPerPage);

public sealed record Pager(int PageIndex, int Pages, int LimitPerPage, int TotalEntities);

/// <summary>The shape of every admin list.</summary>
public sealed record Page<T>(Pager Pager, IReadOnlyList<T> Data);

public static class PagingExtensions
{
    /// <summary>One page of an ordered query, with the total count; a page past the end is empty, not an error.</summary>
    public static async Task<Page<TView>> ToPageAsync<TEntity, TView>(
        this IQueryable<TEntity> ordered, Paging paging, Func<TEntity, TView> view, CancellationToken cancellationToken)
    {
        var total = await ordered.CountAsync(cancellationToken);
        var pages = (int)((total + (long)paging.LimitPerPage - 1) / paging.LimitPerPage);
        var skip = (long)paging.PageIndex * paging.LimitPerPage;
        var rows = skip >= total
            ? []
            : await ordered.Skip((int)skip).Take(paging.LimitPerPage).ToListAsync(cancellationToken);
        return new Page<TView>(new Pager(paging.PageIndex, pages, paging.LimitPerPage, total), rows.Select(view).ToList());
    }
}
