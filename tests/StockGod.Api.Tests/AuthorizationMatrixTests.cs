using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using StockGod.Api.Tests.Support;

namespace StockGod.Api.Tests;

/// <summary>
/// Walks every /api/v1 endpoint the app maps (new endpoints join automatically): without credentials each answers 401
/// unless it is explicitly anonymous; with another user's ids each owned resource answers 404.
/// </summary>
public sealed partial class AuthorizationMatrixTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Valid bodies for endpoints that take one, so a 404 is not hidden behind a 400.</summary>
    private static readonly Dictionary<string, object> Bodies = new()
    {
        ["PUT /api/v1/portfolios/{portfolioId:guid}/name"] = new { name = "Stolen" },
        ["PUT /api/v1/portfolios/{portfolioId:guid}/live-trading"] = new { enabled = false },
        ["POST /api/v1/portfolios/{portfolioId:guid}/orders"] = new { symbol = "AAPL", side = "buy", type = "market", qty = "1" },
        ["PUT /api/v1/portfolios/{portfolioId:guid}/trading-mode"] = new { trading_mode = "simulated" },
        ["POST /api/v1/portfolios/{portfolioId:guid}/strategies"] = new { name = "Stolen", type = "sma_crossover", symbols = new[] { "AAPL" } },
        ["PATCH /api/v1/portfolios/{portfolioId:guid}/strategies/{strategyId:guid}"] = new { enabled = true },
        ["PATCH /api/v1/watchlists/{watchlistId:guid}"] = new { name = "Stolen" },
        ["PATCH /api/v1/alerts/{alertId:guid}"] = new { threshold = "1" },
    };

    [Fact]
    public async Task Every_endpoint_requires_credentials_unless_marked_anonymous()
    {
        var client = factory.CreateClient();
        var endpoints = ApiEndpoints().ToList();
        Assert.NotEmpty(endpoints);

        foreach (var (method, pattern, endpoint) in endpoints)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), Fill(pattern, _ => Guid.NewGuid().ToString()));
            var response = await client.SendAsync(request, Ct);
            var anonymous = endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null;

            if (anonymous)
            {
                Assert.NotEqual(HttpStatusCode.Unauthorized, response.StatusCode);
            }
            else
            {
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {pattern} answered {response.StatusCode} without credentials");
            }
        }
    }

    [Fact]
    public async Task Every_owned_resource_is_a_404_for_another_user()
    {
        var owner = await factory.CreateUserAsync();
        var intruder = await factory.CreateUserAsync();
        var portfolioId = (await (await owner.Http.PostAsJsonAsync("/api/v1/portfolios", new { name = "Mine" }, Ct)).ReadJsonAsync()).GetProperty("id").GetGuid();
        await Seed.BuyAsync(factory, portfolioId, "AAPL", 1m, 100m);
        var orderId = await Seed.OrderAsync(factory, portfolioId, "AAPL", DateTimeOffset.UtcNow);
        var keyId = (await (await owner.Http.PostAsJsonAsync("/api/v1/api-keys", new { name = "k" }, Ct)).ReadJsonAsync()).GetProperty("id").GetGuid();
        var backtestId = (await (await owner.Http.PostAsJsonAsync("/api/v1/backtests", new { strategy = "sma_crossover", universe = new[] { "AAPL" }, start = "2014-01-02", end = "2014-03-31" }, Ct))
            .ReadJsonAsync()).GetProperty("id").GetGuid();
        var strategyId = await CreatedIdAsync(owner, $"/api/v1/portfolios/{portfolioId}/strategies", new { name = "S", type = "sma_crossover", symbols = new[] { "AAPL" } });
        var watchlistId = await CreatedIdAsync(owner, "/api/v1/watchlists", new { name = "W", symbols = new[] { "AAPL" } });
        var alertId = await CreatedIdAsync(owner, "/api/v1/alerts", new { symbol = "AAPL", condition = "below", threshold = "1" });
        var notificationId = await Seed.NotificationAsync(factory, owner.Id, "Filled", DateTimeOffset.UtcNow);
        var ids = new Dictionary<string, string>
        {
            ["backtestId"] = backtestId.ToString(),
            ["portfolioId"] = portfolioId.ToString(),
            ["orderId"] = orderId.ToString(),
            ["id"] = keyId.ToString(),
            ["symbol"] = "AAPL",

            // Screens are shared, not owned: a date without a screen and an unknown run are 404 to anyone.
            ["date"] = "2001-01-02",
            ["runId"] = Guid.NewGuid().ToString(),
            ["strategyId"] = strategyId.ToString(),
            ["watchlistId"] = watchlistId.ToString(),
            ["alertId"] = alertId.ToString(),
            ["notificationId"] = notificationId.ToString(),
        };

        var owned = ApiEndpoints().Where(e => RouteParameter().IsMatch(e.Pattern) && !IsOperatorOnly(e.Endpoint)).ToList();
        Assert.NotEmpty(owned);
        foreach (var (method, pattern, endpoint) in owned)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), Fill(pattern, name => ids[name]));
            if (endpoint.Metadata.GetMetadata<IAcceptsMetadata>() is not null)
            {
                Assert.True(Bodies.TryGetValue($"{method} {pattern}", out var body), $"Add a valid body for {method} {pattern}");
                request.Content = JsonContent.Create(body);
            }

            var response = await intruder.Http.SendAsync(request, Ct);

            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{method} {pattern} answered {response.StatusCode} to another user");
        }

        // And the owner still has everything.
        Assert.Equal(HttpStatusCode.OK, (await owner.Http.GetAsync($"/api/v1/portfolios/{portfolioId}/orders/{orderId}", Ct)).StatusCode);
        Assert.Equal("Mine", (await (await owner.Http.GetAsync($"/api/v1/portfolios/{portfolioId}", Ct)).ReadJsonAsync()).GetProperty("name").GetString());
        Assert.Equal(HttpStatusCode.OK, (await owner.Http.GetAsync($"/api/v1/portfolios/{portfolioId}/strategies/{strategyId}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await owner.Http.GetAsync($"/api/v1/watchlists/{watchlistId}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await owner.Http.GetAsync($"/api/v1/alerts/{alertId}", Ct)).StatusCode);
        var notifications = await (await owner.Http.GetAsync("/api/v1/notifications?unread=true", Ct)).ReadJsonAsync();
        Assert.Equal([notificationId], notifications.GetProperty("notifications").EnumerateArray().Select(n => n.GetProperty("id").GetGuid()));
    }

    private static async Task<Guid> CreatedIdAsync(UserClient owner, string path, object body)
    {
        var response = await owner.Http.PostAsJsonAsync(path, body, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.ReadJsonAsync()).GetProperty("id").GetGuid();
    }

    [Fact]
    public async Task Every_operator_endpoint_is_forbidden_to_a_user()
    {
        var user = await factory.CreateUserAsync();
        var operatorOnly = ApiEndpoints().Where(e => IsOperatorOnly(e.Endpoint)).ToList();
        Assert.NotEmpty(operatorOnly);

        foreach (var (method, pattern, _) in operatorOnly)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), Fill(pattern, _ => "job_execution_retention"));
            var response = await user.Http.SendAsync(request, Ct);

            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{method} {pattern} answered {response.StatusCode} to a user");
        }
    }

    private static bool IsOperatorOnly(Microsoft.AspNetCore.Http.Endpoint endpoint) =>
        endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => a.Policy == StockGod.Api.Identity.IdentityExtensions.OperatorPolicy);

    private IEnumerable<(string Method, string Pattern, RouteEndpoint Endpoint)> ApiEndpoints() =>
        factory.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/v1/", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []).Select(m => (m, e.RoutePattern.RawText!.TrimEnd('/'), e)));

    private static string Fill(string pattern, Func<string, string> value) =>
        RouteParameter().Replace(pattern, match => value(match.Groups["name"].Value));

    [GeneratedRegex(@"\{(?<name>[A-Za-z]+)(:[a-z]+)?\}")]
    private static partial Regex RouteParameter();
}
