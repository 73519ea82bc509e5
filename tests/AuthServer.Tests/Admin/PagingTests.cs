using System.Net;
using AuthServer.Tests.Infrastructure;

namespace AuthServer.Tests.Admin;

public sealed class PagingTests(AdminFixture fixture) : IClassFixture<AdminFixture>
{
    [Fact]
    public async Task An_empty_list_has_zero_pages_and_no_data()
    {
        var organizationId = (await fixture.CreateOrganizationViaApiAsync()).GetProperty("organization").GetGuid("id");
        using var admin = fixture.Admin();

        var page = await (await admin.GetAsync($"/api/v1/admin/organizations/{organizationId}/users")).ReadJsonAsync();

        var pager = page.GetProperty("pager");
        Assert.Equal(0, pager.GetProperty("pageIndex").GetInt32());
        Assert.Equal(0, pager.GetProperty("pages").GetInt32());
        Assert.Equal(20, pager.GetProperty("limitPerPage").GetInt32());
        Assert.Equal(0, pager.GetProperty("totalEntities").GetInt32());
        Assert.Empty(page.GetProperty("data").EnumerateArray());
    }

    [Fact]
    public async Task The_last_page_holds_the_rest_and_a_page_past_the_end_is_empty()
    {
        var organizationId = (await fixture.CreateOrganizationViaApiAsync()).GetProperty("organization").GetGuid("id");
        for (var i = 0; i < 5; i++)
        {
            await fixture.CreateUserViaApiAsync(organizationId, $"page{i}@example.com");
        }

        using var admin = fixture.Admin();
        var last = await (await admin.GetAsync($"/api/v1/admin/organizations/{organizationId}/users?pageIndex=2&limitPerPage=2")).ReadJsonAsync();
        var past = await (await admin.GetAsync($"/api/v1/admin/organizations/{organizationId}/users?pageIndex=3&limitPerPage=2")).ReadJsonAsync();
        var max = await (await admin.GetAsync($"/api/v1/admin/organizations/{organizationId}/users?limitPerPage=100")).ReadJsonAsync();

        Assert.Equal(3, last.GetProperty("pager").GetProperty("pages").GetInt32());
        Assert.Equal(5, last.GetProperty("pager").GetProperty("totalEntities").GetInt32());
        Assert.Equal(["page4@example.com"], last.GetProperty("data").EnumerateArray().Select(u => u.Str("email")));
        Assert.Equal(3, past.GetProperty("pager").GetProperty("pageIndex").GetInt32());
        Assert.Empty(past.GetProperty("data").EnumerateArray());
        Assert.Equal(5, max.GetProperty("data").GetArrayLength());
    }

    [Theory]
    [InlineData("limitPerPage=101", "limitPerPage")]
    [InlineData("limitPerPage=0", "limitPerPage")]
    [InlineData("limitPerPage=ten", "limitPerPage")]
    [InlineData("pageIndex=-1", "pageIndex")]
    [InlineData("pageIndex=1.5", "pageIndex")]
    [InlineData("pageIndex=99999999999", "pageIndex")]
    public async Task Out_of_range_paging_is_entityInvalid_on_the_parameter(string query, string location)
    {
        var organizationId = (await fixture.CreateOrganizationViaApiAsync()).GetProperty("organization").GetGuid("id");
        using var admin = fixture.Admin();

        foreach (var path in new[] { $"/api/v1/admin/organizations/{organizationId}/users", "/api/v1/admin/organizations", "/api/v1/admin/api_keys", "/api/v1/admin/audit_log" })
        {
            var response = await admin.GetAsync($"{path}?{query}");

            await response.AssertDetailsAsync("entityInvalid", location);
        }
    }

    [Fact]
    public async Task Both_bad_paging_parameters_are_reported_together()
    {
        using var admin = fixture.Admin();

        var response = await admin.GetAsync("/api/v1/admin/organizations?pageIndex=-3&limitPerPage=1000");

        await response.AssertDetailsAsync("entityInvalid", "pageIndex", "limitPerPage");
    }

    [Fact]
    public async Task A_huge_page_index_is_an_empty_page_not_an_overflow()
    {
        using var admin = fixture.Admin();

        var page = await (await admin.GetAsync($"/api/v1/admin/organizations?pageIndex={int.MaxValue}&limitPerPage=100")).ReadJsonAsync();

        Assert.Empty(page.GetProperty("data").EnumerateArray());
        Assert.Equal(int.MaxValue, page.GetProperty("pager").GetProperty("pageIndex").GetInt32());
    }
}
