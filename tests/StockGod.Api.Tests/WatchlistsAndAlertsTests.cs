using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using StockGod.Api.Tests.Support;
using StockGod.Trading.Market;

namespace StockGod.Api.Tests;

public sealed class WatchlistsAndAlertsTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Watchlists_normalize_symbols_rename_replace_and_delete()
    {
        var user = await factory.CreateUserAsync();

        var created = await user.Http.PostAsJsonAsync("/api/v1/watchlists", new { name = "Tech", symbols = new[] { "msft", "BRK.B", "MSFT", " aapl " } }, Ct);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.ReadJsonAsync();
        var id = body.GetProperty("id").GetGuid();
        Assert.Equal(["AAPL", "BRK.B", "MSFT"], Symbols(body));

        var updated = await (await user.Http.PatchAsJsonAsync($"/api/v1/watchlists/{id}", new { name = "Big tech", symbols = new[] { "AAPL", "NVDA" } }, Ct)).ReadJsonAsync();
        Assert.Equal("Big tech", updated.GetProperty("name").GetString());
        Assert.Equal(["AAPL", "NVDA"], Symbols(updated));
        var renamedOnly = await (await user.Http.PatchAsJsonAsync($"/api/v1/watchlists/{id}", new { name = "Chips" }, Ct)).ReadJsonAsync();
        Assert.Equal(["AAPL", "NVDA"], Symbols(renamedOnly));

        var list = await (await user.Http.GetAsync("/api/v1/watchlists", Ct)).ReadJsonAsync();
        Assert.Equal(["Chips"], list.EnumerateArray().Select(w => w.GetProperty("name").GetString()).ToArray());
        Assert.Equal(HttpStatusCode.NoContent, (await user.Http.DeleteAsync($"/api/v1/watchlists/{id}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await user.Http.GetAsync($"/api/v1/watchlists/{id}", Ct)).StatusCode);
    }

    [Fact]
    public async Task Watchlist_fields_are_validated_and_names_are_unique_per_user()
    {
        var user = await factory.CreateUserAsync();
        var other = await factory.CreateUserAsync();
        await user.Http.PostAsJsonAsync("/api/v1/watchlists", new { name = "Mine" }, Ct);

        var invalid = await user.Http.PostAsJsonAsync("/api/v1/watchlists", new { name = new string('x', 101), symbols = new[] { "AAPL", "$$$" } }, Ct);
        var duplicate = await user.Http.PostAsJsonAsync("/api/v1/watchlists", new { name = "Mine" }, Ct);
        var otherUsersSameName = await other.Http.PostAsJsonAsync("/api/v1/watchlists", new { name = "Mine" }, Ct);

        await invalid.AssertValidationProblemAsync("name", "symbols[1]");
        await duplicate.AssertProblemAsync(HttpStatusCode.Conflict, "https://stockgod.dev/problems/conflict");
        Assert.Equal(HttpStatusCode.Created, otherUsersSameName.StatusCode);
    }

    [Fact]
    public async Task Alerts_are_created_listed_updated_and_deleted()
    {
        var user = await factory.CreateUserAsync();
        var last = (await factory.Services.GetRequiredService<IMarketDataSource>().GetQuotesAsync(["KO"], Ct))["KO"].LastPrice;

        var above = await user.Http.PostAsJsonAsync("/api/v1/alerts", new { symbol = "aapl", condition = "above", threshold = "500" }, Ct);
        var percent = await (await user.Http.PostAsJsonAsync("/api/v1/alerts", new { symbol = "KO", condition = "percent_change", threshold = "5" }, Ct)).ReadJsonAsync();

        Assert.Equal(HttpStatusCode.Created, above.StatusCode);
        var alert = await above.ReadJsonAsync();
        var id = alert.GetProperty("id").GetGuid();
        Assert.Equal("AAPL", alert.GetProperty("symbol").GetString());
        Assert.Equal("above", alert.GetProperty("condition").GetString());
        Assert.True(alert.GetProperty("active").GetBoolean());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, alert.GetProperty("reference_price").ValueKind);
        Assert.Equal(last, decimal.Parse(percent.GetProperty("reference_price").GetString()!, System.Globalization.CultureInfo.InvariantCulture));

        var moved = await (await user.Http.PatchAsJsonAsync($"/api/v1/alerts/{id}", new { threshold = "450.5" }, Ct)).ReadJsonAsync();
        Assert.Equal("450.5", moved.GetProperty("threshold").GetString());
        var disarmed = await (await user.Http.PatchAsJsonAsync($"/api/v1/alerts/{id}", new { active = false }, Ct)).ReadJsonAsync();
        Assert.False(disarmed.GetProperty("active").GetBoolean());

        var active = await (await user.Http.GetAsync("/api/v1/alerts?active=true", Ct)).ReadJsonAsync();
        var all = await (await user.Http.GetAsync("/api/v1/alerts", Ct)).ReadJsonAsync();
        Assert.Equal(["KO"], active.EnumerateArray().Select(a => a.GetProperty("symbol").GetString()).ToArray());
        Assert.Equal(2, all.GetArrayLength());

        var rearmed = await (await user.Http.PatchAsJsonAsync($"/api/v1/alerts/{id}", new { active = true }, Ct)).ReadJsonAsync();
        Assert.True(rearmed.GetProperty("active").GetBoolean());
        Assert.Equal(HttpStatusCode.NoContent, (await user.Http.DeleteAsync($"/api/v1/alerts/{id}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await user.Http.GetAsync($"/api/v1/alerts/{id}", Ct)).StatusCode);
    }

    [Fact]
    public async Task Alert_fields_are_validated_and_an_unknown_symbol_is_refused()
    {
        var user = await factory.CreateUserAsync();

        var invalid = await user.Http.PostAsJsonAsync("/api/v1/alerts", new { symbol = "not a symbol", threshold = "-1", reference_price = "10" }, Ct);
        var referenceOnAbove = await user.Http.PostAsJsonAsync("/api/v1/alerts", new { symbol = "AAPL", condition = "below", threshold = "10", reference_price = "10" }, Ct);
        var hugePercent = await user.Http.PostAsJsonAsync("/api/v1/alerts", new { symbol = "AAPL", condition = "percent_change", threshold = "5000" }, Ct);
        var unknownSymbol = await user.Http.PostAsJsonAsync("/api/v1/alerts", new { symbol = "XYZQ", condition = "above", threshold = "10" }, Ct);
        var percentId = (await (await user.Http.PostAsJsonAsync("/api/v1/alerts", new { symbol = "AAPL", condition = "percent_change", threshold = "5" }, Ct)).ReadJsonAsync()).GetProperty("id").GetGuid();
        var hugeUpdate = await user.Http.PatchAsJsonAsync($"/api/v1/alerts/{percentId}", new { threshold = "5000" }, Ct);

        await invalid.AssertValidationProblemAsync("symbol", "condition", "threshold");
        await referenceOnAbove.AssertValidationProblemAsync("reference_price");
        await hugePercent.AssertValidationProblemAsync("threshold");
        await unknownSymbol.AssertValidationProblemAsync("symbol");
        await hugeUpdate.AssertValidationProblemAsync("threshold");
        Assert.Equal(1, (await (await user.Http.GetAsync("/api/v1/alerts", Ct)).ReadJsonAsync()).GetArrayLength());
    }

    [Fact]
    public async Task Same_idempotency_key_and_body_replays_the_alert_and_another_body_is_a_422()
    {
        var user = await factory.CreateUserAsync();
        var key = Guid.NewGuid().ToString();

        var first = await PostWithKeyAsync(user, key, new { symbol = "AAPL", condition = "below", threshold = "10" });
        var replay = await PostWithKeyAsync(user, key, new { symbol = "AAPL", condition = "below", threshold = "10" });
        var other = await PostWithKeyAsync(user, key, new { symbol = "AAPL", condition = "below", threshold = "11" });

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, replay.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(Ct), await replay.Content.ReadAsStringAsync(Ct));
        Assert.Equal(first.Headers.Location, replay.Headers.Location);
        await other.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "https://stockgod.dev/problems/idempotency-key-reused");
        Assert.Equal(1, (await (await user.Http.GetAsync("/api/v1/alerts", Ct)).ReadJsonAsync()).GetArrayLength());
    }

    private static string?[] Symbols(System.Text.Json.JsonElement watchlist) =>
        [.. watchlist.GetProperty("symbols").EnumerateArray().Select(s => s.GetString())];

    private static async Task<HttpResponseMessage> PostWithKeyAsync(UserClient user, string key, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/alerts") { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", key);
        return await user.Http.SendAsync(request, Ct);
    }
}
