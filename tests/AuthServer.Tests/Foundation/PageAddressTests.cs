using AuthServer.Tests.Infrastructure;

namespace AuthServer.Tests.Foundation;

/// <summary>The address patterns the browser tests wait for mean what they say.</summary>
public sealed class PageAddressTests
{
    [Theory]
    [InlineData("http://localhost:5000/callback?**", "http://localhost:5000/callback?code=a/b&state=x", true)]
    [InlineData("http://localhost:5000/callback?**", "http://localhost:5000/callbackXcode=a", false)]
    [InlineData("http://localhost:5000/callback?**", "http://localhost:5001/callback?code=a", false)]
    [InlineData("**/login?**", "http://localhost:5000/login?client_id=x", true)]
    [InlineData("**/login?**", "http://localhost:5000/login/email", false)]
    [InlineData("http://localhost:5000/admin", "http://localhost:5000/admin", true)]
    [InlineData("http://localhost:5000/admin", "http://localhost:5000/admin/users", false)]
    [InlineData("http://idp/interaction/**", "http://idp/interaction/abc/login", true)]
    [InlineData("http://idp/*/x", "http://idp/a/x", true)]
    [InlineData("http://idp/*/x", "http://idp/a/b/x", false)]
    public void A_pattern_matches_exactly_the_addresses_it_describes(string pattern, string address, bool matches) =>
        Assert.Equal(matches, PageAddress.ToRegex(pattern).IsMatch(address));
}
