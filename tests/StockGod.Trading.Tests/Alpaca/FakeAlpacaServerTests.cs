using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using StockGod.Testing.FakeAlpaca;

namespace StockGod.Trading.Tests.Alpaca;

/// <summary>The fake speaks Alpaca's documented wire format, so other teams' tests can trust it.</summary>
public sealed class FakeAlpacaServerTests : IAsyncLifetime
{
    // trading-api.json: properties of the Order schema (each must be present, null or not) and required Position fields.
    private static readonly string[] OrderFields =
    [
        "asset_class", "asset_id", "canceled_at", "client_order_id", "created_at", "expired_at", "extended_hours", "failed_at",
        "filled_at", "filled_avg_price", "filled_qty", "hwm", "id", "legs", "limit_price", "notional", "order_class", "order_type",
        "qty", "replaced_at", "replaced_by", "replaces", "side", "status", "stop_price", "submitted_at", "symbol", "time_in_force",
        "trail_percent", "trail_price", "type", "updated_at",
    ];

    private static readonly string[] PositionFields =
    [
        "asset_id", "symbol", "exchange", "asset_class", "avg_entry_price", "qty", "side", "market_value", "cost_basis",
        "unrealized_pl", "unrealized_plpc", "unrealized_intraday_pl", "unrealized_intraday_plpc", "current_price",
        "lastday_price", "change_today", "asset_marginable",
    ];

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private FakeAlpacaServer _alpaca = null!;
    private HttpClient _http = null!;

    public async ValueTask InitializeAsync()
    {
        _alpaca = await FakeAlpacaServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        _http = new HttpClient { BaseAddress = _alpaca.BaseUrl };
        _http.DefaultRequestHeaders.Add("APCA-API-KEY-ID", _alpaca.KeyId);
        _http.DefaultRequestHeaders.Add("APCA-API-SECRET-KEY", _alpaca.SecretKey);
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _alpaca.DisposeAsync();
    }

    [Fact]
    public async Task Requests_without_the_right_keys_get_alpacas_401_body()
    {
        using var anonymous = new HttpClient { BaseAddress = _alpaca.BaseUrl };

        var response = await anonymous.GetAsync("v2/account", Cancel);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("""{"code":40110000,"message":"request is not authorized"}""", await response.Content.ReadAsStringAsync(Cancel));
    }

    [Fact]
    public async Task Orders_are_written_with_every_documented_field_and_string_decimals_and_numbers_are_accepted_in()
    {
        // The official SDKs post numbers; Alpaca answers strings, normalised.
        using var response = await _http.PostAsync("v2/orders", new StringContent(
            """{"symbol":"AAPL","qty":2,"side":"buy","type":"limit","limit_price":150.00,"time_in_force":"gtc","client_order_id":"c-1"}"""), Cancel);
        var order = await response.Content.ReadFromJsonAsync<JsonElement>(Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(OrderFields.Except(order.EnumerateObject().Select(p => p.Name)));
        Assert.Equal("2", order.GetProperty("qty").GetString());
        Assert.Equal("150", order.GetProperty("limit_price").GetString());
        Assert.Equal("0", order.GetProperty("filled_qty").GetString());
        Assert.Equal("", order.GetProperty("order_class").GetString());
        Assert.Equal("limit", order.GetProperty("order_type").GetString());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$", order.GetProperty("created_at").GetString());
        Assert.Equal(JsonValueKind.Null, order.GetProperty("filled_avg_price").ValueKind);
    }

    [Fact]
    public async Task A_reused_client_order_id_is_refused_as_alpaca_does_even_after_cancel()
    {
        var first = _alpaca.Brokerage.PlaceOrder("AAPL", "buy", 1m, "limit", limitPrice: 10m, clientOrderId: "dup");
        using (await _http.DeleteAsync($"v2/orders/{first.Id}", Cancel)) { }

        using var response = await _http.PostAsJsonAsync("v2/orders",
            new { symbol = "AAPL", qty = "1", side = "buy", type = "market", time_in_force = "day", client_order_id = "dup" }, Cancel);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("""{"code":40010001,"message":"client_order_id must be unique"}""", await response.Content.ReadAsStringAsync(Cancel));
    }

    [Fact]
    public async Task Positions_carry_every_required_field_and_404_when_missing()
    {
        _alpaca.Brokerage.SetPosition("AAPL", 10m, 190.25m);
        _alpaca.Brokerage.SetPrice("AAPL", 197.53m);

        var positions = await _http.GetFromJsonAsync<JsonElement>("v2/positions", Cancel);
        using var missing = await _http.GetAsync("v2/positions/MSFT", Cancel);

        var position = Assert.Single(positions.EnumerateArray().ToList());
        Assert.Empty(PositionFields.Except(position.EnumerateObject().Select(p => p.Name)));
        Assert.Equal("1975.3", position.GetProperty("market_value").GetString());
        Assert.Equal("72.8", position.GetProperty("unrealized_pl").GetString());
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("40410000", await missing.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_answer_carries_rate_limit_headers_and_the_budget_is_enforced()
    {
        _alpaca.RateLimit = 2;

        using var first = await _http.GetAsync("v2/clock", Cancel);
        using var second = await _http.GetAsync("v2/clock", Cancel);
        using var third = await _http.GetAsync("v2/clock", Cancel);

        Assert.Equal("2", Assert.Single(first.Headers.GetValues("X-RateLimit-Limit")));
        Assert.Equal(["1", "0"], [Assert.Single(first.Headers.GetValues("X-RateLimit-Remaining")), Assert.Single(second.Headers.GetValues("X-RateLimit-Remaining"))]);
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        var reset = DateTimeOffset.FromUnixTimeSeconds(long.Parse(Assert.Single(third.Headers.GetValues("X-RateLimit-Reset")), System.Globalization.CultureInfo.InvariantCulture));
        Assert.InRange(reset - DateTimeOffset.UtcNow, TimeSpan.Zero, TimeSpan.FromSeconds(61));
    }

    [Fact]
    public async Task Requests_it_never_answered_are_recorded_as_such_never_as_200()
    {
        using var impatient = new HttpClient { BaseAddress = _alpaca.BaseUrl, Timeout = TimeSpan.FromMilliseconds(500) };
        impatient.DefaultRequestHeaders.Add("APCA-API-KEY-ID", _alpaca.KeyId);
        impatient.DefaultRequestHeaders.Add("APCA-API-SECRET-KEY", _alpaca.SecretKey);
        _alpaca.Faults.ProcessThenHangNext("POST", "/v2/orders");
        _alpaca.Faults.HangNext("GET", "/v2/clock");
        _alpaca.Faults.ProcessThenDisconnectNext("POST", "/v2/orders");
        object NewOrder(string id) => new { symbol = "AAPL", qty = "1", side = "buy", type = "market", time_in_force = "day", client_order_id = id };

        await Assert.ThrowsAnyAsync<TaskCanceledException>(() => impatient.PostAsJsonAsync("v2/orders", NewOrder("hung"), Cancel));
        await Assert.ThrowsAnyAsync<TaskCanceledException>(() => impatient.GetAsync("v2/clock", Cancel));
        await Assert.ThrowsAsync<HttpRequestException>(() => _http.PostAsJsonAsync("v2/orders", NewOrder("dropped"), Cancel));
        using var answered = await _http.GetAsync("v2/clock", Cancel);

        // Kestrel finishes a hung request only after the client gave up; wait for it (bounded) so a late 200 would show.
        while (_alpaca.Requests.Any(r => r.Outcome == FakeAlpacaRequestOutcome.Pending))
        {
            await Task.Delay(20, Cancel);
        }

        await Task.Delay(200, Cancel);
        Assert.Equal(
            [(FakeAlpacaRequestOutcome.TimedOut, 0), (FakeAlpacaRequestOutcome.TimedOut, 0), (FakeAlpacaRequestOutcome.Disconnected, 0), (FakeAlpacaRequestOutcome.Answered, 200)],
            _alpaca.Requests.Select(r => (r.Outcome, r.StatusCode ?? -1)));
        // Not answering is not "not processing": both orders were accepted.
        Assert.Equal(["hung", "dropped"], _alpaca.Brokerage.Orders.Select(o => o.ClientOrderId));
    }
}
