using System.Net;
using System.Net.Http.Json;
using StockGod.Api.Tests.Support;

namespace StockGod.Api.Tests;

/// <summary>Order input rules are checked before anything is saved or sent: every case here leaves no order behind.</summary>
public sealed class OrderPlacementValidationTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, string[]> InvalidOrders => new()
    {
        { """{"symbol":"AAPL","side":"buy","type":"limit","qty":"1"}""", ["limit_price"] },
        { """{"symbol":"AAPL","side":"buy","type":"market","qty":"1","limit_price":"10"}""", ["limit_price"] },
        { """{"symbol":"AAPL","side":"buy","type":"stop","qty":"1"}""", ["stop_price"] },
        { """{"symbol":"AAPL","side":"buy","type":"stop_limit","qty":"1","stop_price":"10"}""", ["limit_price"] },
        { """{"symbol":"AAPL","side":"buy","type":"market","qty":"0"}""", ["qty"] },
        { """{"symbol":"AAPL","side":"buy","type":"market","qty":"100000000"}""", ["qty"] },
        { """{"symbol":"AAPL","side":"buy","type":"market"}""", ["qty"] },
        { """{"symbol":"AAPL","side":"buy","type":"market","qty":"1","notional":"100"}""", ["qty"] },
        { """{"symbol":"AAPL","side":"buy","type":"limit","notional":"100","limit_price":"5"}""", ["notional"] },
        { """{"symbol":"BRK..B","side":"buy","type":"market","qty":"1"}""", ["symbol"] },
        { """{"symbol":"AAPL","type":"market","qty":"1"}""", ["side"] },
        { """{"side":"buy","qty":"1"}""", ["symbol", "type"] },
        { """{"symbol":"AAPL","side":"buy","type":"limit","qty":"1","limit_price":"-5"}""", ["limit_price"] },
    };

    [Theory]
    [MemberData(nameof(InvalidOrders))]
    public async Task Invalid_orders_are_400s_naming_the_field(string body, string[] fields)
    {
        var user = await factory.CreateUserAsync();
        var portfolioId = (await (await user.Http.PostAsJsonAsync("/api/v1/portfolios", new { name = "P" }, Ct)).ReadJsonAsync()).GetProperty("id").GetGuid();

        var response = await user.Http.PostAsync($"/api/v1/portfolios/{portfolioId}/orders", new StringContent(body, System.Text.Encoding.UTF8, "application/json"), Ct);

        await response.AssertValidationProblemAsync(fields);
        var orders = await (await user.Http.GetAsync($"/api/v1/portfolios/{portfolioId}/orders", Ct)).ReadJsonAsync();
        Assert.Equal(0, orders.GetProperty("orders").GetArrayLength());
    }

    [Theory]
    [InlineData("""{"symbol":"AAPL","side":"hold","type":"market","qty":"1"}""", "$.side")]
    [InlineData("""{"symbol":"AAPL","side":"buy","type":"trailing","qty":"1"}""", "$.type")]
    [InlineData("""{"symbol":"AAPL","side":"buy","type":"market","qty":"one"}""", "$.qty")]
    public async Task Unknown_enum_values_and_non_numbers_are_400s_naming_the_path(string body, string path)
    {
        var user = await factory.CreateUserAsync();
        var portfolioId = (await (await user.Http.PostAsJsonAsync("/api/v1/portfolios", new { name = "P" }, Ct)).ReadJsonAsync()).GetProperty("id").GetGuid();

        var response = await user.Http.PostAsync($"/api/v1/portfolios/{portfolioId}/orders", new StringContent(body, System.Text.Encoding.UTF8, "application/json"), Ct);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "https://stockgod.dev/problems/malformed-request");
        Assert.Contains(path, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
