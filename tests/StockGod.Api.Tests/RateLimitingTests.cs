using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using StockGod.Trading.Domain.Users;
using StockGod.Trading.Persistence;
using StockGod.Api.Tests.Support;

namespace StockGod.Api.Tests;

public sealed class RateLimitedApiFactory : ApiFactory
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["RateLimiting:SignIn:PermitLimit"] = "3",
        ["RateLimiting:Portfolios:PermitLimit"] = "4",
        ["RateLimiting:Authenticated:PermitLimit"] = "1000",
        ["RateLimiting:SymbolSearch:PermitLimit"] = "2",
    };
}

public sealed class RateLimitingTests(RateLimitedApiFactory factory) : IClassFixture<RateLimitedApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Sign_in_beyond_its_limit_is_a_429_problem_with_retry_after()
    {
        var client = factory.CreateClient();
        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 4; i++)
        {
            answers.Add(await client.PostAsJsonAsync("/api/v1/accounts/token", new { email = "nobody@stockgod.test", password = "whatever it is" }, Ct));
        }

        Assert.All(answers.Take(3), r => Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode));
        await answers[3].AssertProblemAsync(HttpStatusCode.TooManyRequests, "https://stockgod.dev/problems/rate-limited");
        var retryAfter = int.Parse(answers[3].Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 60);
        Assert.Equal("3", answers[3].Headers.GetValues("RateLimit-Limit").Single());
        Assert.Equal("0", answers[3].Headers.GetValues("RateLimit-Remaining").Single());
        Assert.Equal(retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture), answers[3].Headers.GetValues("RateLimit-Reset").Single());
        Assert.Equal("3;w=60", answers[3].Headers.GetValues("RateLimit-Policy").Single());
    }

    [Fact]
    public async Task Symbol_search_has_its_own_limit_and_its_429_names_that_limit()
    {
        var user = await CreateUserDirectlyAsync();

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 3; i++)
        {
            answers.Add(await user.Http.GetAsync("/api/v1/market/symbols?q=apple", Ct));
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], answers.Select(a => a.StatusCode));
        await answers[2].AssertProblemAsync(HttpStatusCode.TooManyRequests, "https://stockgod.dev/problems/rate-limited");
        Assert.Equal("2", answers[2].Headers.GetValues("RateLimit-Limit").Single());
        Assert.Equal("2;w=60", answers[2].Headers.GetValues("RateLimit-Policy").Single());

        // Other endpoints still answer: the caller's own limit is far from spent.
        Assert.Equal(HttpStatusCode.OK, (await user.Http.GetAsync("/api/v1/accounts/me", Ct)).StatusCode);
    }

    [Fact]
    public async Task Answers_under_the_callers_limit_count_down_the_remaining_requests()
    {
        var user = await CreateUserDirectlyAsync();

        var first = await user.Http.GetAsync("/api/v1/accounts/me", Ct);
        var second = await user.Http.GetAsync("/api/v1/accounts/me", Ct);

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("1000", first.Headers.GetValues("RateLimit-Limit").Single());
        Assert.Equal("1000;w=60", first.Headers.GetValues("RateLimit-Policy").Single());
        var remaining = int.Parse(first.Headers.GetValues("RateLimit-Remaining").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(remaining, 1, 999);
        Assert.Equal(remaining - 1, int.Parse(second.Headers.GetValues("RateLimit-Remaining").Single(), System.Globalization.CultureInfo.InvariantCulture));
        // Seconds until the caller's window resets: within the 60 s window, never later for a later answer of the same window.
        var firstReset = int.Parse(first.Headers.GetValues("RateLimit-Reset").Single(), System.Globalization.CultureInfo.InvariantCulture);
        var secondReset = int.Parse(second.Headers.GetValues("RateLimit-Reset").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(firstReset, 1, 60);
        Assert.InRange(secondReset, 1, firstReset);
    }

    [Fact]
    public async Task The_portfolio_limit_is_per_user()
    {
        var alice = await CreateUserDirectlyAsync();
        var bob = await CreateUserDirectlyAsync();

        var aliceAnswers = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            aliceAnswers.Add((await alice.Http.GetAsync("/api/v1/portfolios", Ct)).StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], aliceAnswers);
        Assert.Equal(HttpStatusCode.OK, (await bob.Http.GetAsync("/api/v1/portfolios", Ct)).StatusCode);
    }

    /// <summary>A user with an API key created straight in the database, so the sign-in limit is not spent.</summary>
    private async Task<UserClient> CreateUserDirectlyAsync()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TradingDbContext>();
        var user = new User(Guid.CreateVersion7(), $"rl-{Guid.NewGuid():N}@stockgod.test", "RL", DateTimeOffset.UtcNow);
        var secret = $"sg_test_{Guid.NewGuid():N}";
        db.Users.Add(user);
        db.Add(new ApiKey(Guid.CreateVersion7(), user.Id, "test", secret[..12], SHA256.HashData(Encoding.UTF8.GetBytes(secret)), DateTimeOffset.UtcNow));
        await db.SaveChangesAsync(Ct);
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", secret);
        return new UserClient(user.Id, user.Email, string.Empty, client);
    }
}
