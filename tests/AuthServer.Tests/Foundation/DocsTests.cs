using AuthServer.Errors;

namespace AuthServer.Tests.Foundation;

/// <summary>The repository's own docs stay true to the code they describe.</summary>
public sealed class DocsTests
{
    [Fact]
    public void The_error_catalog_document_lists_every_code_with_its_status()
    {
        var document = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "errors.md"));

        Assert.All(ErrorCatalog.All, definition => Assert.Contains($"| `{definition.Code}` | {definition.Status} |", document));
    }

    [Fact]
    public void The_readme_links_only_to_files_in_the_repository()
    {
        var root = RepositoryRoot();
        var readme = File.ReadAllText(Path.Combine(root, "README.md"));
        var links = System.Text.RegularExpressions.Regex.Matches(readme, @"\]\(([^)#:]+)(#[^)]*)?\)").Select(m => m.Groups[1].Value).ToList();

        Assert.NotEmpty(links);
        Assert.All(links, link => Assert.True(File.Exists(Path.Combine(root, link)) || Directory.Exists(Path.Combine(root, link)), $"README links to {link}, which a clone does not have."));
    }

    internal static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "AuthServer.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (AuthServer.sln) was not found above " + AppContext.BaseDirectory);
    }
}
