using System.Text.Json;
using StockGod.Trading.Brokerage;
using StockGod.Trading.Brokerage.Alpaca;

namespace StockGod.Trading.Tests.Alpaca;

/// <summary>The gateway reads Alpaca's documented payloads (examples from trading-api.json) and writes what Alpaca expects.</summary>
public sealed class AlpacaJsonTests
{
    // trading-api.json, components/examples/EquityOrderResponse.
    private const string EquityOrderResponse = """
        {"asset_class": "us_equity", "asset_id": "b0b6dd9d-8b9b-48a9-ba46-b9d54906e415", "canceled_at": null,
         "client_order_id": "5680c4bc-9ac1-4a12-a44c-df427ba53032", "created_at": "2023-12-12T22:31:24.668464435Z",
         "expired_at": null, "extended_hours": false, "failed_at": null, "filled_at": null, "filled_avg_price": null,
         "filled_qty": "0", "hwm": null, "id": "7b08df51-c1ac-453c-99f9-323a5f075f0d", "legs": null, "limit_price": "150",
         "notional": null, "order_class": "", "order_type": "limit", "qty": "2", "replaced_at": null, "replaced_by": null,
         "replaces": null, "side": "buy", "source": null, "status": "accepted", "stop_price": null,
         "submitted_at": "2023-12-12T22:31:24.577215743Z", "subtag": null, "symbol": "AAPL", "time_in_force": "gtc",
         "trail_percent": null, "trail_price": null, "type": "limit", "updated_at": "2023-12-12T22:31:24.668464435Z"}
        """;

    // trading-api.json, GET /v2/account 200 example.
    private const string AccountResponse = """
        {"account_blocked": false, "account_number": "PALPACA_123", "accrued_fees": "0", "admin_configurations": {},
         "balance_asof": "2023-09-27", "bod_dtbp": 0, "buying_power": "245432.61", "cash": "122086.5",
         "created_at": "2023-01-01T18:20:20.272275Z", "crypto_status": "ACTIVE", "crypto_tier": 1, "currency": "USD",
         "daytrade_count": 0, "daytrading_buying_power": "0", "effective_buying_power": "245432.61", "equity": "123346.11",
         "id": "1d9eed04-be39-4e01-9b84-a48ac5bbafcf", "initial_margin": "629.8", "intraday_adjustments": "0",
         "last_equity": "122011.09751111286868", "last_maintenance_margin": "480.73", "long_market_value": "1259.61",
         "maintenance_margin": "377.88", "multiplier": "2", "non_marginable_buying_power": "122086.5",
         "options_buying_power": "122716.305", "options_trading_level": 2, "pattern_day_trader": true,
         "pending_reg_taf_fees": "0", "pending_transfer_in": "0", "portfolio_value": "123346.11",
         "position_market_value": "1259.61", "regt_buying_power": "245432.61", "short_market_value": "0",
         "shorting_enabled": true, "sma": "123369.74", "status": "ACTIVE", "trade_suspended_by_user": false,
         "trading_blocked": false, "transfers_blocked": false, "user_configurations": null}
        """;

    private const string PositionResponse = """
        {"asset_id": "b0b6dd9d-8b9b-48a9-ba46-b9d54906e415", "symbol": "AAPL", "exchange": "NASDAQ",
         "asset_class": "us_equity", "asset_marginable": true, "qty": "10", "qty_available": "10",
         "avg_entry_price": "190.25", "side": "long", "market_value": "1975.30", "cost_basis": "1902.50",
         "unrealized_pl": "72.80", "unrealized_plpc": "0.0382654402102497", "unrealized_intraday_pl": "12.40",
         "unrealized_intraday_plpc": "0.0063179", "current_price": "197.53", "lastday_price": "196.29", "change_today": "0.0063172"}
        """;

    [Fact]
    public void Spec_equity_order_example_maps_to_a_broker_order()
    {
        var order = AlpacaMapping.ToBrokerOrder(JsonSerializer.Deserialize<AlpacaOrder>(EquityOrderResponse, AlpacaJson.Options)!);

        Assert.Equal(Guid.Parse("7b08df51-c1ac-453c-99f9-323a5f075f0d"), order.OrderId);
        Assert.Equal("5680c4bc-9ac1-4a12-a44c-df427ba53032", order.ClientOrderId);
        Assert.Equal(("AAPL", OrderSide.Buy, OrderType.Limit, TimeInForce.Gtc), (order.Symbol, order.Side, order.Type, order.TimeInForce));
        Assert.Equal(OrderStatus.Accepted, order.Status);
        Assert.Equal(2m, order.Quantity);
        Assert.Null(order.Notional);
        Assert.Equal(150m, order.LimitPrice);
        Assert.Equal(0m, order.FilledQuantity);
        Assert.Null(order.AverageFillPrice);
        // Nine fractional digits are read, truncated to .NET's 100 ns.
        Assert.Equal(new DateTimeOffset(2023, 12, 12, 22, 31, 24, TimeSpan.Zero).AddTicks(6_684_644), order.CreatedAt);
        Assert.Equal(new DateTimeOffset(2023, 12, 12, 22, 31, 24, TimeSpan.Zero).AddTicks(5_772_157), order.SubmittedAt);
        Assert.Null(order.FilledAt);
    }

    [Fact]
    public void Spec_account_example_keeps_every_digit_of_its_string_decimals()
    {
        var account = JsonSerializer.Deserialize<AlpacaAccount>(AccountResponse, AlpacaJson.Options)!;

        Assert.Equal(122086.5m, account.Cash);
        Assert.Equal(245432.61m, account.BuyingPower);
        Assert.Equal(123346.11m, account.Equity);
        Assert.Equal("ACTIVE", account.Status);
        Assert.False(account.TradingBlocked);
        var mapped = AlpacaMapping.ToBrokerAccount(account);
        Assert.Equal(("1d9eed04-be39-4e01-9b84-a48ac5bbafcf", "USD", 123346.11m), (mapped.AccountId, mapped.Currency, mapped.PortfolioValue));
    }

    [Fact]
    public void Position_example_maps_quantities_and_prices()
    {
        var position = AlpacaMapping.ToBrokerPosition(JsonSerializer.Deserialize<AlpacaPosition>(PositionResponse, AlpacaJson.Options)!);

        Assert.Equal(new BrokerPosition("AAPL", 10m, 190.25m, 1902.50m, 1975.30m, 197.53m, 72.80m), position);
    }

    [Fact]
    public void Clock_keeps_new_york_offsets_and_calendar_reads_both_time_formats()
    {
        const string clockJson = """
            { "timestamp": "2026-01-05T10:15:22.451420928-05:00", "is_open": true,
              "next_open": "2026-01-06T09:30:00-05:00", "next_close": "2026-01-05T16:00:00-05:00" }
            """;
        const string calendarJson = """
            [ { "date": "2026-11-27", "open": "09:30", "close": "13:00", "session_open": "0400", "session_close": "2000", "settlement_date": "2026-11-30" } ]
            """;

        var clock = AlpacaMapping.ToMarketClock(JsonSerializer.Deserialize<AlpacaClock>(clockJson, AlpacaJson.Options)!);
        var day = AlpacaMapping.ToCalendarDay(JsonSerializer.Deserialize<List<AlpacaCalendarDay>>(calendarJson, AlpacaJson.Options)![0]);

        Assert.True(clock.IsOpen);
        Assert.Equal(TimeSpan.FromHours(-5), clock.Timestamp.Offset);
        Assert.Equal(new DateTimeOffset(2026, 1, 5, 21, 0, 0, TimeSpan.Zero), clock.NextClose);
        Assert.Equal(new CalendarDay(new DateOnly(2026, 11, 27), new TimeOnly(9, 30), new TimeOnly(13, 0)), day);
    }

    [Theory]
    [InlineData("412.50")]
    [InlineData("0.000000001")]
    [InlineData("79228162514264337593543950335")]
    [InlineData("-0.1234567890123456789012345678")]
    [InlineData("122011.09751111286868")]
    public void Decimals_round_trip_as_strings_without_losing_precision(string text)
    {
        var value = JsonSerializer.Deserialize<decimal>($"\"{text}\"", AlpacaJson.Options);

        Assert.Equal(decimal.Parse(text, System.Globalization.CultureInfo.InvariantCulture), value);
        Assert.Equal($"\"{text}\"", JsonSerializer.Serialize(value, AlpacaJson.Options));
    }

    [Fact]
    public void Decimals_sent_as_json_numbers_are_read_exactly_and_empty_strings_are_refused()
    {
        Assert.Equal(0.1m, JsonSerializer.Deserialize<decimal>("0.1", AlpacaJson.Options));
        Assert.Null(JsonSerializer.Deserialize<decimal?>("null", AlpacaJson.Options));
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<decimal>("\"\"", AlpacaJson.Options));
    }

    [Fact]
    public void New_order_is_written_with_alpaca_names_string_decimals_and_no_nulls()
    {
        var body = JsonSerializer.Serialize(
            AlpacaMapping.ToAlpaca(new SubmitOrderRequest("rebal-2026-01-05-MSFT-1", "MSFT", OrderSide.Sell, OrderType.StopLimit, TimeInForce.Gtc, 5m, LimitPrice: 412.50m, StopPrice: 410m)),
            AlpacaJson.Options);

        using var json = JsonDocument.Parse(body);
        var properties = json.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ToString());
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["symbol"] = "MSFT", ["qty"] = "5", ["side"] = "sell", ["type"] = "stop_limit", ["time_in_force"] = "gtc",
                ["limit_price"] = "412.50", ["stop_price"] = "410", ["client_order_id"] = "rebal-2026-01-05-MSFT-1",
            },
            properties);
        Assert.Equal(JsonValueKind.String, json.RootElement.GetProperty("qty").ValueKind);
    }

    [Theory]
    [InlineData("held", OrderStatus.Accepted)]
    [InlineData("partially_filled", OrderStatus.PartiallyFilled)]
    [InlineData("done_for_day", OrderStatus.DoneForDay)]
    [InlineData("pending_cancel", OrderStatus.PendingCancel)]
    public void Order_statuses_outside_the_happy_path_map_to_the_lifecycle(string wire, OrderStatus expected)
    {
        var json = EquityOrderResponse.Replace("\"status\": \"accepted\"", $"\"status\": \"{wire}\"", StringComparison.Ordinal);

        Assert.Equal(expected, AlpacaMapping.ToBrokerOrder(JsonSerializer.Deserialize<AlpacaOrder>(json, AlpacaJson.Options)!).Status);
    }
}
