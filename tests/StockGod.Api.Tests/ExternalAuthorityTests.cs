using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using StockGod.Api.Tests.Support;

namespace StockGod.Api.Tests;

/// <summary>The Api configured to trust an external OpenID Connect authority (roles from its <c>roles</c> claim).</summary>
public sealed class ExternalAuthorityApiFactory : ApiFactory
{
    public const string Audience = "stockgod-api-external";

    public FakeOidcAuthority Authority { get; private set; } = null!;

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Jwt:Authority"] = Authority.Issuer,
        ["Jwt:Audience"] = Audience,
        ["Jwt:RequireHttpsMetadata"] = "false",
        ["Jwt:RoleClaim"] = "roles",
    };

    protected override async Task StartDependenciesAsync() => Authority = await FakeOidcAuthority.StartAsync();

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Authority is not null)
        {
            await Authority.DisposeAsync();
        }
    }
}

public sealed class ExternalAuthorityTests(ExternalAuthorityApiFactory factory) : IClassFixture<ExternalAuthorityApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_token_the_authority_signed_is_accepted_and_names_a_stockgod_user()
    {
        var email = $"ext-{Guid.NewGuid():N}@stockgod.test";

        var first = await GetAsync("/api/v1/accounts/me", factory.Authority.IssueToken(email, ExternalAuthorityApiFactory.Audience));
        var again = await GetAsync("/api/v1/accounts/me", factory.Authority.IssueToken(email.ToUpperInvariant(), ExternalAuthorityApiFactory.Audience));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var user = await first.ReadJsonAsync();
        Assert.Equal(email, user.GetProperty("email").GetString());
        Assert.Equal(["user"], user.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(user.GetProperty("id").GetGuid(), (await again.ReadJsonAsync()).GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task Tokens_for_another_audience_from_another_issuer_or_signed_by_another_key_are_401()
    {
        var email = $"ext-{Guid.NewGuid():N}@stockgod.test";
        using var otherKey = RSA.Create(2048);

        var wrongAudience = await GetAsync("/api/v1/accounts/me", factory.Authority.IssueToken(email, "someone-else"));
        var wrongIssuer = await GetAsync("/api/v1/accounts/me", factory.Authority.IssueToken(email, ExternalAuthorityApiFactory.Audience, issuer: "https://evil.example"));
        var wrongKey = await GetAsync("/api/v1/accounts/me", factory.Authority.IssueToken(email, ExternalAuthorityApiFactory.Audience, signingKey: otherKey));

        Assert.Equal(HttpStatusCode.Unauthorized, wrongAudience.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongIssuer.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongKey.StatusCode);
    }

    [Fact]
    public async Task The_role_claim_decides_who_is_an_operator_and_unknown_roles_are_ignored()
    {
        var operatorToken = factory.Authority.IssueToken($"ext-{Guid.NewGuid():N}@stockgod.test", ExternalAuthorityApiFactory.Audience, roles: ["operator", "admin"]);
        // "role" is StockGod's own claim type: a token cannot grant itself a role through it.
        var userToken = factory.Authority.IssueToken($"ext-{Guid.NewGuid():N}@stockgod.test", ExternalAuthorityApiFactory.Audience, roles: ["admin"],
            extraClaims: new Dictionary<string, object> { ["role"] = "operator", ["uid"] = Guid.NewGuid().ToString() });

        var operatorMe = await (await GetAsync("/api/v1/accounts/me", operatorToken)).ReadJsonAsync();
        var asOperator = await GetAsync("/api/v1/jobs", operatorToken);
        var asUser = await GetAsync("/api/v1/jobs", userToken);

        Assert.Equal(["operator", "user"], operatorMe.GetProperty("roles").EnumerateArray().Select(r => r.GetString()).Order());
        Assert.NotEqual(HttpStatusCode.Forbidden, asOperator.StatusCode); // no Scheduler here: past authorization it is a 503
        Assert.NotEqual(HttpStatusCode.Unauthorized, asOperator.StatusCode);
        await asUser.AssertProblemAsync(HttpStatusCode.Forbidden, "https://stockgod.dev/problems/forbidden");
    }

    private async Task<HttpResponseMessage> GetAsync(string url, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await factory.CreateClient().SendAsync(request, Ct);
    }
}
