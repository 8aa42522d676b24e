using System.Net;
using System.Net.Http.Json;
using StockGod.Api.Tests.Support;

namespace StockGod.Api.Tests;

public sealed class AccountsTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_registered_user_signs_in_and_sees_themself_with_the_user_role()
    {
        var user = await factory.CreateUserAsync();

        var me = await (await user.Http.GetAsync("/api/v1/accounts/me", Ct)).ReadJsonAsync();

        Assert.Equal(user.Id, me.GetProperty("id").GetGuid());
        Assert.Equal(user.Email, me.GetProperty("email").GetString());
        Assert.Equal(["user"], me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()).ToArray());
    }

    [Fact]
    public async Task Configured_operator_emails_register_as_operators()
    {
        var operatorUser = await factory.CreateUserAsync(ApiFactory.OperatorEmail);

        var me = await (await operatorUser.Http.GetAsync("/api/v1/accounts/me", Ct)).ReadJsonAsync();

        Assert.Equal(["operator", "user"], me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()).ToArray());
    }

    [Fact]
    public async Task Registering_an_email_twice_is_a_409_regardless_of_case()
    {
        var user = await factory.CreateUserAsync();
        var client = factory.CreateClient();

        var response = await client.PostAsJsonAsync("/api/v1/accounts/register",
            new { email = user.Email.ToUpperInvariant(), password = "another long password", display_name = "Twin" }, Ct);

        await response.AssertProblemAsync(HttpStatusCode.Conflict, "https://stockgod.dev/problems/conflict");
    }

    [Fact]
    public async Task A_wrong_password_or_unknown_email_is_a_401_that_does_not_say_which()
    {
        var user = await factory.CreateUserAsync();
        var client = factory.CreateClient();

        var wrongPassword = await client.PostAsJsonAsync("/api/v1/accounts/token", new { email = user.Email, password = "not the password" }, Ct);
        var unknown = await client.PostAsJsonAsync("/api/v1/accounts/token", new { email = "nobody@stockgod.test", password = "not the password" }, Ct);

        var first = await wrongPassword.AssertProblemAsync(HttpStatusCode.Unauthorized, "https://stockgod.dev/problems/unauthorized");
        var second = await unknown.AssertProblemAsync(HttpStatusCode.Unauthorized, "https://stockgod.dev/problems/unauthorized");
        Assert.Equal(first.GetProperty("detail").GetString(), second.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_tampered_token_is_refused()
    {
        var user = await factory.CreateUserAsync();
        var client = factory.CreateClient();
        var tampered = user.AccessToken[..^4] + (user.AccessToken.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA");
        client.DefaultRequestHeaders.Authorization = new("Bearer", tampered);

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/accounts/me", Ct)).StatusCode);
    }

    [Fact]
    public async Task An_api_key_is_shown_once_authenticates_by_header_and_stops_working_when_revoked()
    {
        var user = await factory.CreateUserAsync();

        var created = await user.Http.PostAsJsonAsync("/api/v1/api-keys", new { name = "trading bot" }, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.ReadJsonAsync();
        var key = body.GetProperty("key").GetString()!;
        var keyId = body.GetProperty("id").GetGuid();

        var listed = await (await user.Http.GetAsync("/api/v1/api-keys", Ct)).ReadJsonAsync();
        var entry = Assert.Single(listed.EnumerateArray());
        Assert.False(entry.TryGetProperty("key", out _));
        Assert.StartsWith(entry.GetProperty("prefix").GetString()!, key, StringComparison.Ordinal);

        var program = factory.CreateClient();
        program.DefaultRequestHeaders.Add("X-Api-Key", key);
        var me = await program.GetAsync("/api/v1/accounts/me", Ct);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.Equal(user.Id, (await me.ReadJsonAsync()).GetProperty("id").GetGuid());

        Assert.Equal(HttpStatusCode.NoContent, (await user.Http.DeleteAsync($"/api/v1/api-keys/{keyId}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await program.GetAsync("/api/v1/accounts/me", Ct)).StatusCode);
    }

    [Fact]
    public async Task A_wrong_api_key_is_a_401_and_another_users_key_cannot_be_revoked()
    {
        var owner = await factory.CreateUserAsync();
        var other = await factory.CreateUserAsync();
        var keyId = (await (await owner.Http.PostAsJsonAsync("/api/v1/api-keys", new { name = "k" }, Ct)).ReadJsonAsync()).GetProperty("id").GetGuid();
        var program = factory.CreateClient();
        program.DefaultRequestHeaders.Add("X-Api-Key", "sg_not-a-real-key");

        Assert.Equal(HttpStatusCode.Unauthorized, (await program.GetAsync("/api/v1/accounts/me", Ct)).StatusCode);
        await (await other.Http.DeleteAsync($"/api/v1/api-keys/{keyId}", Ct)).AssertProblemAsync(HttpStatusCode.NotFound, "https://stockgod.dev/problems/not-found");
    }
}
