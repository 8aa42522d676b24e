using System.Globalization;

namespace StockGod.Testing.FakeAlpaca;

/// <summary>
/// The in-memory Alpaca account behind the fake's Trading API: cash, orders going through Alpaca's lifecycle
/// (accepted/new → partially_filled → filled, or canceled/expired/rejected), positions updated on fills, and a
/// calendar and clock. Tests seed it and drive fills through the public methods; HTTP clients see the same state.
/// No margin (buying power is cash) and no shorting: a sell beyond the shares held is refused as Alpaca does.
/// </summary>
public sealed class FakeAlpacaBrokerage
{
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly List<FakeAlpacaOrder> _orders = [];
    private readonly Dictionary<string, FakeAlpacaPosition> _positions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, decimal> _prices = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Guid> _assetIds = new(StringComparer.Ordinal);
    private List<FakeAlpacaCalendarDay>? _calendar;
    private decimal _cash = 100_000m;

    internal FakeAlpacaBrokerage(TimeProvider time) => _time = time;

    public Guid AccountId { get; } = Guid.NewGuid();

    public string AccountNumber { get; } = "PA" + Guid.NewGuid().ToString("N")[..10].ToUpperInvariant();

    public DateTimeOffset AccountCreatedAt { get; } = new(2025, 6, 12, 22, 47, 7, TimeSpan.Zero);

    public bool TradingBlocked { get; set; }

    public decimal Cash
    {
        get { lock (_lock) { return _cash; } }
        set { lock (_lock) { _cash = value; } }
    }

    public IReadOnlyList<FakeAlpacaOrder> Orders
    {
        get { lock (_lock) { return [.. _orders]; } }
    }

    public IReadOnlyList<FakeAlpacaPosition> Positions
    {
        get { lock (_lock) { return [.. _positions.Values.OrderBy(p => p.Symbol, StringComparer.Ordinal)]; } }
    }

    /// <summary>The last price of a symbol: used for market values and to check buying power of market buys.</summary>
    public void SetPrice(string symbol, decimal price)
    {
        lock (_lock) { _prices[symbol] = price; }
    }

    public void SetPosition(string symbol, decimal qty, decimal avgEntryPrice)
    {
        lock (_lock) { _positions[symbol] = new FakeAlpacaPosition(symbol, AssetIdOf(symbol), qty, avgEntryPrice); }
    }

    /// <summary>Replaces the default calendar (every weekday 09:30–16:00, no holidays).</summary>
    public void SetCalendar(IEnumerable<FakeAlpacaCalendarDay> days)
    {
        lock (_lock) { _calendar = [.. days.OrderBy(d => d.Date)]; }
    }

    public FakeAlpacaOrder? FindOrder(Guid id)
    {
        lock (_lock) { return _orders.Find(o => o.Id == id); }
    }

    public FakeAlpacaOrder? FindOrder(string clientOrderId)
    {
        lock (_lock) { return _orders.Find(o => o.ClientOrderId == clientOrderId); }
    }

    /// <summary>Fills <paramref name="qty"/> (default: all that remains) at <paramref name="price"/>, moving cash and the position.</summary>
    public FakeAlpacaOrder Fill(Guid orderId, decimal price, decimal? qty = null)
    {
        lock (_lock)
        {
            var order = _orders.Find(o => o.Id == orderId) ?? throw new InvalidOperationException($"No order {orderId}.");
            if (order.IsTerminal)
            {
                throw new InvalidOperationException($"Order {orderId} is {order.Status} and cannot fill.");
            }

            // A notional (dollar) order fills all at once, for as many shares as the money buys.
            if (order.Qty is null && qty is not null)
            {
                throw new ArgumentException("A notional order fills all at once; leave qty out.", nameof(qty));
            }

            var remaining = order.Qty is null ? order.Notional!.Value / price : order.RemainingQty;
            var fillQty = qty ?? remaining;
            if (fillQty <= 0 || fillQty > remaining)
            {
                throw new ArgumentOutOfRangeException(nameof(qty), fillQty, $"Order {orderId} has {remaining} left to fill.");
            }

            var now = _time.GetUtcNow();
            var filledQty = order.FilledQty + fillQty;
            var complete = fillQty == remaining;
            var filled = order with
            {
                FilledQty = filledQty,
                FilledAvgPrice = ((order.FilledAvgPrice ?? 0m) * order.FilledQty + price * fillQty) / filledQty,
                Status = complete ? "filled" : "partially_filled",
                FilledAt = complete ? now : null,
                UpdatedAt = now,
            };
            Replace(filled);
            ApplyFill(order.Symbol, order.Side == "buy" ? fillQty : -fillQty, price);
            return filled;
        }
    }

    /// <summary>Ends an open order the way the venue does: <c>expired</c> (day order after the close) or <c>rejected</c>.</summary>
    public FakeAlpacaOrder End(Guid orderId, string status)
    {
        if (status is not ("expired" or "rejected" or "canceled"))
        {
            throw new ArgumentOutOfRangeException(nameof(status), status, "Use expired, rejected or canceled.");
        }

        lock (_lock)
        {
            var order = _orders.Find(o => o.Id == orderId) ?? throw new InvalidOperationException($"No order {orderId}.");
            var now = _time.GetUtcNow();
            var ended = order with
            {
                Status = status,
                UpdatedAt = now,
                ExpiredAt = status == "expired" ? now : null,
                FailedAt = status == "rejected" ? now : null,
                CanceledAt = status == "canceled" ? now : null,
            };
            Replace(ended);
            return ended;
        }
    }

    /// <summary>Places an order as <c>POST /v2/orders</c> would (same checks and errors), without going over HTTP.</summary>
    public FakeAlpacaOrder PlaceOrder(
        string symbol,
        string side,
        decimal qty,
        string type = "market",
        string timeInForce = "day",
        decimal? limitPrice = null,
        decimal? stopPrice = null,
        string? clientOrderId = null) =>
        Submit(new NewOrder(clientOrderId ?? Guid.NewGuid().ToString(), symbol, side, type, timeInForce, qty, null, limitPrice, stopPrice, false));

    internal FakeAlpacaOrder Submit(NewOrder request)
    {
        lock (_lock)
        {
            if (_orders.Exists(o => o.ClientOrderId == request.ClientOrderId))
            {
                throw new AlpacaApiError(422, 40010001, "client_order_id must be unique");
            }

            if (TradingBlocked)
            {
                throw new AlpacaApiError(403, 40310000, "account is not allowed to trade");
            }

            var held = OpenQty(request.Symbol, "sell");
            var owned = _positions.TryGetValue(request.Symbol, out var position) ? position.Qty : 0m;
            if (request.Side == "sell" && request.Qty > owned - held)
            {
                throw new AlpacaApiError(403, 40310000, string.Create(CultureInfo.InvariantCulture,
                    $"insufficient qty available for order (requested: {request.Qty}, available: {owned - held})"));
            }

            if (request.Side == "buy" && EstimatedCost(request) is { } cost && cost > _cash - OpenBuyCost())
            {
                throw new AlpacaApiError(403, 40310000, "insufficient buying power");
            }

            var now = _time.GetUtcNow();
            var order = new FakeAlpacaOrder
            {
                Id = Guid.NewGuid(),
                ClientOrderId = request.ClientOrderId,
                CreatedAt = now,
                UpdatedAt = now,
                SubmittedAt = now,
                AssetId = AssetIdOf(request.Symbol),
                Symbol = request.Symbol,
                Qty = request.Qty,
                Notional = request.Notional,
                Type = request.Type,
                Side = request.Side,
                TimeInForce = request.TimeInForce,
                LimitPrice = request.LimitPrice,
                StopPrice = request.StopPrice,
                ExtendedHours = request.ExtendedHours,
                // Outside market hours Alpaca holds orders as "accepted" until the open.
                Status = IsOpenAt(now) ? "new" : "accepted",
            };
            _orders.Add(order);
            return order;
        }
    }

    internal void Cancel(Guid orderId)
    {
        lock (_lock)
        {
            var order = _orders.Find(o => o.Id == orderId) ?? throw new AlpacaApiError(404, 40410000, "order not found");
            if (order.IsTerminal)
            {
                throw new AlpacaApiError(422, 42210000, $"order is not cancelable (status: {order.Status})");
            }

            var now = _time.GetUtcNow();
            Replace(order with { Status = "canceled", CanceledAt = now, UpdatedAt = now });
        }
    }

    /// <summary><c>GET /v2/orders</c>: after/until are exclusive on submission time; ties keep submission order.</summary>
    internal IReadOnlyList<FakeAlpacaOrder> List(string status, DateTimeOffset? after, DateTimeOffset? until, int limit, bool ascending, IReadOnlySet<string>? symbols)
    {
        lock (_lock)
        {
            var matching = _orders
                .Select((order, sequence) => (order, sequence))
                .Where(x => status switch
                {
                    "open" => !x.order.IsTerminal,
                    "closed" => x.order.IsTerminal,
                    _ => true,
                })
                .Where(x => after is null || x.order.SubmittedAt > after)
                .Where(x => until is null || x.order.SubmittedAt < until)
                .Where(x => symbols is null || symbols.Contains(x.order.Symbol));
            var sorted = ascending
                ? matching.OrderBy(x => x.order.SubmittedAt).ThenBy(x => x.sequence)
                : matching.OrderByDescending(x => x.order.SubmittedAt).ThenByDescending(x => x.sequence);
            return [.. sorted.Take(limit).Select(x => x.order)];
        }
    }

    internal object AccountJson()
    {
        lock (_lock)
        {
            var longValue = _positions.Values.Where(p => p.Qty > 0).Sum(p => p.Qty * PriceOf(p));
            var shortValue = _positions.Values.Where(p => p.Qty < 0).Sum(p => p.Qty * PriceOf(p));
            var equity = _cash + longValue + shortValue;
            var buyingPower = _cash - OpenBuyCost();
            return new
            {
                id = AccountId,
                account_number = AccountNumber,
                status = "ACTIVE",
                crypto_status = "ACTIVE",
                currency = "USD",
                cash = FakeAlpacaJson.Format(_cash),
                buying_power = FakeAlpacaJson.Format(buyingPower),
                regt_buying_power = FakeAlpacaJson.Format(buyingPower),
                daytrading_buying_power = "0",
                non_marginable_buying_power = FakeAlpacaJson.Format(buyingPower),
                options_buying_power = FakeAlpacaJson.Format(buyingPower),
                equity = FakeAlpacaJson.Format(equity),
                last_equity = FakeAlpacaJson.Format(equity),
                portfolio_value = FakeAlpacaJson.Format(equity),
                long_market_value = FakeAlpacaJson.Format(longValue),
                short_market_value = FakeAlpacaJson.Format(shortValue),
                initial_margin = "0",
                maintenance_margin = "0",
                last_maintenance_margin = "0",
                sma = "0",
                multiplier = "1",
                pattern_day_trader = false,
                daytrade_count = 0,
                trading_blocked = TradingBlocked,
                transfers_blocked = false,
                account_blocked = false,
                trade_suspended_by_user = false,
                shorting_enabled = false,
                created_at = AccountCreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture),
                balance_asof = DateOnly.FromDateTime(NewYorkTime(_time.GetUtcNow()).DateTime).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                accrued_fees = "0",
                pending_transfer_in = "0",
                pending_transfer_out = "0",
                intraday_adjustments = "0",
                pending_reg_taf_fees = "0",
                options_approved_level = 0,
                options_trading_level = 0,
            };
        }
    }

    internal IReadOnlyList<object> PositionsJson(string? symbol = null)
    {
        lock (_lock)
        {
            return [.. _positions.Values.Where(p => symbol is null || p.Symbol == symbol).OrderBy(p => p.Symbol, StringComparer.Ordinal).Select(p =>
            {
                var price = PriceOf(p);
                var costBasis = p.Qty * p.AvgEntryPrice;
                var marketValue = p.Qty * price;
                var unrealized = marketValue - costBasis;
                var available = p.Qty - OpenQty(p.Symbol, "sell");
                return (object)new
                {
                    asset_id = p.AssetId,
                    symbol = p.Symbol,
                    exchange = "NASDAQ",
                    asset_class = "us_equity",
                    asset_marginable = true,
                    qty = FakeAlpacaJson.Format(p.Qty),
                    qty_available = FakeAlpacaJson.Format(available),
                    avg_entry_price = FakeAlpacaJson.Format(p.AvgEntryPrice),
                    side = p.Qty < 0 ? "short" : "long",
                    market_value = FakeAlpacaJson.Format(marketValue),
                    cost_basis = FakeAlpacaJson.Format(costBasis),
                    unrealized_pl = FakeAlpacaJson.Format(unrealized),
                    unrealized_plpc = FakeAlpacaJson.Format(costBasis == 0 ? 0 : unrealized / Math.Abs(costBasis)),
                    unrealized_intraday_pl = FakeAlpacaJson.Format(unrealized),
                    unrealized_intraday_plpc = FakeAlpacaJson.Format(costBasis == 0 ? 0 : unrealized / Math.Abs(costBasis)),
                    current_price = FakeAlpacaJson.Format(price),
                    lastday_price = FakeAlpacaJson.Format(price),
                    change_today = "0",
                };
            })];
        }
    }

    /// <summary><c>GET /v2/clock</c>, computed from the calendar; timestamps carry New York's offset as Alpaca's do.</summary>
    internal object ClockJson()
    {
        var now = _time.GetUtcNow();
        var today = DateOnly.FromDateTime(NewYorkTime(now).DateTime);
        var sessions = Calendar(today.AddDays(-1), today.AddDays(30))
            .Select(d => (Open: ToInstant(d.Date, d.Open), Close: ToInstant(d.Date, d.Close)))
            .ToList();
        var nextOpen = sessions.FirstOrDefault(s => s.Open > now).Open;
        var nextClose = sessions.FirstOrDefault(s => s.Close > now).Close;
        if (nextOpen == default || nextClose == default)
        {
            throw new InvalidOperationException("The fake calendar has no session in the next 30 days; seed one with SetCalendar.");
        }

        return new
        {
            timestamp = FormatNewYork(now),
            is_open = IsOpenAt(now),
            next_open = FormatNewYork(nextOpen),
            next_close = FormatNewYork(nextClose),
        };
    }

    /// <summary><c>GET /v2/calendar</c>: <c>start</c> and <c>end</c> inclusive.</summary>
    internal IReadOnlyList<object> CalendarJson(DateOnly start, DateOnly end) =>
        [.. Calendar(start, end).Select(day => (object)new
        {
            date = day.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            open = day.Open.ToString("HH:mm", CultureInfo.InvariantCulture),
            close = day.Close.ToString("HH:mm", CultureInfo.InvariantCulture),
            session_open = "0400",
            session_close = "2000",
            settlement_date = day.Date.AddDays(day.Date.DayOfWeek == DayOfWeek.Friday ? 3 : 1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        })];

    internal IReadOnlyList<FakeAlpacaCalendarDay> Calendar(DateOnly start, DateOnly end)
    {
        lock (_lock)
        {
            if (_calendar is not null)
            {
                return [.. _calendar.Where(d => d.Date >= start && d.Date <= end)];
            }
        }

        var days = new List<FakeAlpacaCalendarDay>();
        for (var date = start; date <= end; date = date.AddDays(1))
        {
            if (date.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday))
            {
                days.Add(new FakeAlpacaCalendarDay(date, new TimeOnly(9, 30), new TimeOnly(16, 0)));
            }
        }

        return days;
    }

    internal static DateTimeOffset NewYorkTime(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, NewYork);

    private bool IsOpenAt(DateTimeOffset now)
    {
        var today = DateOnly.FromDateTime(NewYorkTime(now).DateTime);
        return Calendar(today, today) is [var session] && ToInstant(session.Date, session.Open) <= now && now < ToInstant(session.Date, session.Close);
    }

    private static DateTimeOffset ToInstant(DateOnly date, TimeOnly time)
    {
        var local = date.ToDateTime(time);
        return new DateTimeOffset(local, NewYork.GetUtcOffset(local));
    }

    private static string FormatNewYork(DateTimeOffset instant) =>
        NewYorkTime(instant).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'00'zzz", CultureInfo.InvariantCulture);

    private void Replace(FakeAlpacaOrder order) => _orders[_orders.FindIndex(o => o.Id == order.Id)] = order;

    private void ApplyFill(string symbol, decimal signedQty, decimal price)
    {
        _cash -= signedQty * price;
        _prices.TryAdd(symbol, price);
        if (!_positions.TryGetValue(symbol, out var position))
        {
            _positions[symbol] = new FakeAlpacaPosition(symbol, AssetIdOf(symbol), signedQty, price);
            return;
        }

        var qty = position.Qty + signedQty;
        if (qty == 0)
        {
            _positions.Remove(symbol);
        }
        else
        {
            // Buying re-weights the average entry price; selling keeps it.
            var average = signedQty > 0 ? (position.Qty * position.AvgEntryPrice + signedQty * price) / qty : position.AvgEntryPrice;
            _positions[symbol] = position with { Qty = qty, AvgEntryPrice = average };
        }
    }

    private decimal OpenQty(string symbol, string side) =>
        _orders.Where(o => !o.IsTerminal && o.Symbol == symbol && o.Side == side).Sum(o => o.RemainingQty);

    private decimal OpenBuyCost() =>
        _orders.Where(o => !o.IsTerminal && o.Side == "buy").Sum(o => EstimatedCost(o.Notional, o.RemainingQty, o.LimitPrice, o.Symbol) ?? 0m);

    private decimal? EstimatedCost(NewOrder order) => EstimatedCost(order.Notional, order.Qty, order.LimitPrice, order.Symbol);

    private decimal? EstimatedCost(decimal? notional, decimal? qty, decimal? limitPrice, string symbol) =>
        notional ?? (limitPrice ?? (_prices.TryGetValue(symbol, out var price) ? price : null)) * qty;

    private decimal PriceOf(FakeAlpacaPosition position) =>
        _prices.TryGetValue(position.Symbol, out var price) ? price : position.AvgEntryPrice;

    private Guid AssetIdOf(string symbol)
    {
        if (!_assetIds.TryGetValue(symbol, out var id))
        {
            _assetIds[symbol] = id = Guid.NewGuid();
        }

        return id;
    }
}

/// <summary>A validated <c>POST /v2/orders</c> body.</summary>
internal sealed record NewOrder(
    string ClientOrderId,
    string Symbol,
    string Side,
    string Type,
    string TimeInForce,
    decimal? Qty,
    decimal? Notional,
    decimal? LimitPrice,
    decimal? StopPrice,
    bool ExtendedHours);

/// <summary>An Alpaca error answer: HTTP status and the <c>{"code", "message"}</c> body.</summary>
internal sealed class AlpacaApiError(int status, int code, string message) : Exception(message)
{
    public int Status { get; } = status;

    public int Code { get; } = code;
}
