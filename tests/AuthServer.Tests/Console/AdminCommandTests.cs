using AuthServer.Features.AdminConsole;
using AuthServer.Hosting;
using AuthServer.Tests.Admin;
using Microsoft.EntityFrameworkCore;

namespace AuthServer.Tests.Console;

/// <summary>`admin add`: the first administrator of the console, from the command line.</summary>
public sealed class AdminCommandTests(AdminFixture fixture) : IClassFixture<AdminFixture>
{
    [Fact]
    public async Task Adds_a_global_administrator_in_the_system_organization_and_audits_it()
    {
        var email = $"Root-{Guid.NewGuid():N}@Example.com";
        var output = new StringWriter();
        var error = new StringWriter();

        var exitCode = await AdminCommand.RunAsync(fixture.Factory.Services, ["add", "--email", email], output, error, CancellationToken.None);

        Assert.True(exitCode == 0, error.ToString());
        Assert.Contains("global administrator", output.ToString());
        var user = await fixture.Factory.WithDbAsync(db => db.Users.AsNoTracking().SingleAsync(u => u.Email == email));
        Assert.Equal(SystemOrganization.Id, user.OrganizationId);
        Assert.True(user.Verified);
        var role = await fixture.Factory.WithDbAsync(db => db.Administrators.AsNoTracking().SingleAsync(a => a.UserId == user.Id));
        Assert.True(role.IsGlobal);
        Assert.True(await fixture.Factory.WithDbAsync(db => db.AuditLog.AnyAsync(e => e.Action == "administrator.add" && e.TargetId == user.Id.ToString() && e.ActorType == "cli")));
    }

    [Fact]
    public async Task Adding_again_with_organizations_scopes_the_same_administrator()
    {
        var organization = (await fixture.CreateOrganizationViaApiAsync()).GetProperty("organization").GetGuid("id");
        var email = $"scoped-{Guid.NewGuid():N}@example.com";
        Assert.Equal(0, await AdminCommand.RunAsync(fixture.Factory.Services, ["add", "--email", email], new StringWriter(), new StringWriter(), CancellationToken.None));

        var output = new StringWriter();
        var exitCode = await AdminCommand.RunAsync(fixture.Factory.Services, ["add", "--email", email.ToUpperInvariant(), "--organization", organization.ToString()],
            output, new StringWriter(), CancellationToken.None);

        Assert.Equal(0, exitCode);
        Assert.Contains($"is an administrator of {organization}", output.ToString());
        var roles = await fixture.Factory.WithDbAsync(db => db.Administrators.AsNoTracking().Where(a => db.Users.Any(u => u.Id == a.UserId && u.NormalizedEmail == email)).ToListAsync());
        var role = Assert.Single(roles);
        Assert.False(role.IsGlobal);
        Assert.Equal([organization], role.OrganizationIds);
    }

    [Theory]
    [InlineData(2, "add")]
    [InlineData(2, "remove", "--email", "a@example.com")]
    [InlineData(2, "add", "--email", "a@example.com", "--organization", "not-a-guid")]
    [InlineData(1, "add", "--email", "not-an-address")]
    public async Task Bad_arguments_exit_with_an_error(int expected, params string[] arguments)
    {
        var error = new StringWriter();

        var exitCode = await AdminCommand.RunAsync(fixture.Factory.Services, arguments, new StringWriter(), error, CancellationToken.None);

        Assert.Equal(expected, exitCode);
        Assert.NotEmpty(error.ToString());
    }

    [Fact]
    public async Task Unknown_organization_is_refused_with_entityInvalid()
    {
        var error = new StringWriter();

        var exitCode = await AdminCommand.RunAsync(fixture.Factory.Services, ["add", "--email", "b@example.com", "--organization", Guid.NewGuid().ToString()],
            new StringWriter(), error, CancellationToken.None);

        Assert.Equal(1, exitCode);
        Assert.StartsWith("entityInvalid", error.ToString());
    }

    [Fact]
    public void The_command_line_routes_admin_add_with_its_options()
    {
        var command = ServerCommands.Parse(["admin", "add", "--email", "a@example.com", "--organization", Guid.Empty.ToString(), "--urls", "http://0.0.0.0:9000"], TextWriter.Null, TextWriter.Null);

        Assert.Null(command.ExitCode);
        Assert.Equal(AdminCommand.Name, command.Name);
        Assert.Equal(["add", "--email", "a@example.com", "--organization", Guid.Empty.ToString()], command.Arguments);
        Assert.Equal(["--urls", "http://0.0.0.0:9000"], command.HostArgs);
    }
}
