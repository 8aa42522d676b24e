using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace StockGod.Testing.FakeAlpaca;

/// <summary>Trading API v2 routes of the fake (trading-api.json): orders, positions, account, clock, calendar.</summary>
internal static class FakeAlpacaTradingApi
{
    private static readonly string[] Sides = ["buy", "sell"];
    private static readonly string[] Types = ["market", "limit", "stop", "stop_limit"];
    private static readonly string[] TimesInForce = ["day", "gtc", "opg", "cls", "ioc", "fok"];

    public static void MapTradingApi(this IEndpointRouteBuilder routes, FakeAlpacaServer server)
    {
        var brokerage = server.Brokerage;
        routes.MapPost("/v2/orders", async (HttpRequest request) => Order(brokerage.Submit(await ReadNewOrderAsync(request))));
        routes.MapGet("/v2/orders", (HttpRequest request) => ListOrders(brokerage, request.Query));
        routes.MapGet("/v2/orders/{orderId}", (string orderId) =>
            Order(brokerage.FindOrder(ParseOrderId(orderId)) ?? throw new AlpacaApiError(404, 40410000, "order not found")));
        routes.MapGet("/v2/orders:by_client_order_id", (HttpRequest request) =>
        {
            var clientOrderId = request.Query["client_order_id"].ToString();
            if (clientOrderId.Length == 0)
            {
                throw new AlpacaApiError(422, 40010001, "client_order_id is missing");
            }

            return Order(brokerage.FindOrder(clientOrderId) ?? throw new AlpacaApiError(404, 40410000, "order not found"));
        });
        routes.MapDelete("/v2/orders/{orderId}", (string orderId) =>
        {
            brokerage.Cancel(ParseOrderId(orderId));
            return Results.NoContent();
        });
        routes.MapGet("/v2/positions", () => Results.Json(brokerage.PositionsJson(), FakeAlpacaJson.Trading));
        routes.MapGet("/v2/positions/{symbol}", (string symbol) =>
            Results.Json(
                brokerage.PositionsJson(symbol).SingleOrDefault()
                    ?? throw new AlpacaApiError(404, 40410000, "position does not exist"),
                FakeAlpacaJson.Trading));
        routes.MapGet("/v2/account", () => Results.Json(brokerage.AccountJson(), FakeAlpacaJson.Trading));
        routes.MapGet("/v2/clock", () => Results.Json(brokerage.ClockJson(), FakeAlpacaJson.Trading));
        routes.MapGet("/v2/calendar", (HttpRequest request) =>
        {
            var today = DateOnly.FromDateTime(FakeAlpacaBrokerage.NewYorkTime(server.Time.GetUtcNow()).DateTime);
            var start = ParseDate(request.Query["start"].ToString(), "start") ?? today;
            var end = ParseDate(request.Query["end"].ToString(), "end") ?? start.AddDays(30);
            return Results.Json(brokerage.CalendarJson(start, end), FakeAlpacaJson.Trading);
        });
    }

    private static IResult Order(FakeAlpacaOrder order) => Results.Json(order, FakeAlpacaJson.Trading);

    private static IResult ListOrders(FakeAlpacaBrokerage brokerage, IQueryCollection query)
    {
        var status = query["status"].ToString() is { Length: > 0 } s ? s : "open";
        if (status is not ("open" or "closed" or "all"))
        {
            throw new AlpacaApiError(422, 40010001, $"invalid status {status}");
        }

        var direction = query["direction"].ToString() is { Length: > 0 } d ? d : "desc";
        if (direction is not ("asc" or "desc"))
        {
            throw new AlpacaApiError(422, 40010001, $"invalid direction {direction}");
        }

        var limit = query["limit"].ToString() is { Length: > 0 } l
            ? int.TryParse(l, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) && parsed > 0
                ? Math.Min(parsed, 500)
                : throw new AlpacaApiError(422, 40010001, $"invalid limit {l}")
            : 50;
        var symbols = query["symbols"].ToString() is { Length: > 0 } list
            ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal)
            : null;
        var orders = brokerage.List(status, ParseTimestamp(query["after"], "after"), ParseTimestamp(query["until"], "until"), limit, direction == "asc", symbols);
        return Results.Json(orders, FakeAlpacaJson.Trading);
    }

    private static async Task<NewOrder> ReadNewOrderAsync(HttpRequest request)
    {
        // Any content type: the official C# SDK posts JSON as text/plain.
        JsonElement body;
        try
        {
            body = (await JsonDocument.ParseAsync(request.Body)).RootElement;
        }
        catch (JsonException)
        {
            throw new AlpacaApiError(400, 40010000, "request body format is invalid");
        }

        try
        {
            var symbol = Required(body, "symbol");
            var side = OneOf(body, "side", Sides);
            var type = OneOf(body, "type", Types);
            var timeInForce = OneOf(body, "time_in_force", TimesInForce);
            var qty = FakeAlpacaJson.ReadDecimal(body, "qty");
            var notional = FakeAlpacaJson.ReadDecimal(body, "notional");
            var limitPrice = FakeAlpacaJson.ReadDecimal(body, "limit_price");
            var stopPrice = FakeAlpacaJson.ReadDecimal(body, "stop_price");
            if ((qty is null) == (notional is null))
            {
                throw new AlpacaApiError(422, 40010001, "qty or notional is required, not both");
            }

            if (qty <= 0 || notional <= 0)
            {
                throw new AlpacaApiError(422, 40010001, "qty and notional must be > 0");
            }

            if (type is "limit" or "stop_limit" && limitPrice is null)
            {
                throw new AlpacaApiError(422, 40010001, "limit_price is required");
            }

            if (type is "stop" or "stop_limit" && stopPrice is null)
            {
                throw new AlpacaApiError(422, 40010001, "stop_price is required");
            }

            CheckPriceIncrement("limit_price", limitPrice);
            CheckPriceIncrement("stop_price", stopPrice);
            var clientOrderId = FakeAlpacaJson.ReadString(body, "client_order_id") ?? Guid.NewGuid().ToString();
            if (clientOrderId.Length > 128)
            {
                throw new AlpacaApiError(422, 40010001, "client_order_id must be no more than 128 characters");
            }

            var extendedHours = body.TryGetProperty("extended_hours", out var extended) && extended.ValueKind == JsonValueKind.True;
            return new NewOrder(clientOrderId, symbol, side, type, timeInForce, qty, notional, limitPrice, stopPrice, extendedHours);
        }
        catch (FormatException exception)
        {
            throw new AlpacaApiError(422, 40010001, exception.Message);
        }
    }

    private static string Required(JsonElement body, string name) =>
        FakeAlpacaJson.ReadString(body, name) is { Length: > 0 } value ? value : throw new AlpacaApiError(422, 40010001, $"{name} is required");

    private static string OneOf(JsonElement body, string name, string[] allowed)
    {
        var value = Required(body, name);
        return allowed.Contains(value) ? value : throw new AlpacaApiError(422, 40010001, $"invalid {name}: {value}");
    }

    // Prices of $1 or more allow 2 decimals, below $1 allow 4 (Alpaca's sub-penny rule).
    private static void CheckPriceIncrement(string name, decimal? price)
    {
        if (price is { } value && decimal.Round(value, value >= 1m ? 2 : 4) != value)
        {
            throw new AlpacaApiError(422, 42210000,
                $"invalid {name} {FakeAlpacaJson.Format(value)}. sub-penny increment does not fulfill minimum pricing criteria");
        }
    }

    private static Guid ParseOrderId(string orderId) =>
        Guid.TryParse(orderId, out var id) ? id : throw new AlpacaApiError(422, 40010001, "order_id is missing");

    private static DateTimeOffset? ParseTimestamp(string? text, string name) =>
        string.IsNullOrEmpty(text) ? null
        : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value) ? value
        : throw new AlpacaApiError(422, 40010001, $"invalid {name} {text}");

    private static DateOnly? ParseDate(string text, string name) =>
        text.Length == 0 ? null
        : DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date
        : ParseTimestamp(text, name) is { } timestamp ? DateOnly.FromDateTime(timestamp.Date)
        : null;
}
