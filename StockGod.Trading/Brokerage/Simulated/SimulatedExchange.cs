using System.Runtime.ExceptionServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using StockGod.Trading.Domain;
using StockGod.Trading.Domain.Orders;
using StockGod.Trading.Persistence;

namespace StockGod.Trading.Brokerage.Simulated;

/// <summary>
/// A broker of our own for one portfolio's account, with Alpaca's lifecycle (new → partially_filled → filled,
/// canceled, expired; refusals as Alpaca words them) and its books in PostgreSQL (sim_* tables), so it survives
/// restarts and several processes can use it at once (each call that may change it holds the account's row lock).
/// Resting orders are matched lazily: every call first evaluates the open orders against current quotes, so the
/// exchange is deterministic and needs no background thread; the Scheduler's polling drives it like it drives Alpaca.
/// </summary>
public sealed partial class SimulatedExchange : IBrokerageGateway
{
    private static readonly OrderStatus[] OpenStatuses = [OrderStatus.New, OrderStatus.PartiallyFilled];

    private readonly Guid _portfolioId;
    private readonly IDbContextFactory<TradingDbContext> _contexts;
    private readonly IMarketDataSource _marketData;
    private readonly IMarketCalendar _exchangeCalendar;
    private readonly IMarketCalendar _sessions;
    private readonly TimeProvider _timeProvider;
    private readonly SimulatedExchangeOptions _options;
    private readonly ILogger _logger;

    internal SimulatedExchange(
        Guid portfolioId,
        IDbContextFactory<TradingDbContext> contexts,
        IMarketDataSource marketData,
        IMarketCalendar exchangeCalendar,
        TimeProvider timeProvider,
        SimulatedExchangeOptions options,
        ILogger logger)
    {
        _portfolioId = portfolioId;
        _contexts = contexts;
        _marketData = marketData;
        _exchangeCalendar = exchangeCalendar;
        _sessions = options.AlwaysOpen ? AlwaysOpenCalendar.Instance : exchangeCalendar;
        _timeProvider = timeProvider;
        _options = options;
        _logger = logger;
    }

    public async Task<BrokerOrder> SubmitOrderAsync(SubmitOrderRequest request, CancellationToken cancellationToken = default)
    {
        var answer = (await SubmitOrdersAsync([request], cancellationToken))[0];
        if (answer.Failure is { } refused)
        {
            ExceptionDispatchInfo.Throw(refused);
        }

        return answer.Order!;
    }

    /// <summary>
    /// Takes the orders in one account transaction: one read of the account's open orders (and of those with these
    /// client_order_ids), one read of the positions involved, one save. The quote call for the requested symbols starts
    /// before the account is locked and runs while it is locked and read, so it overlaps those round trips instead of
    /// adding to the time the lock is held (only a resting order in another symbol needs a quote call under the lock).
    /// Each order is checked against what the ones before it reserved; a refusal concerns that order alone.
    /// </summary>
    public async Task<IReadOnlyList<OrderSubmission>> SubmitOrdersAsync(IReadOnlyList<SubmitOrderRequest> requests, CancellationToken cancellationToken = default)
    {
        var requestedSymbols = requests.Select(r => NormalizedOrNull(r.Symbol)).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var requestedQuotes = QuotesAsync(requestedSymbols, cancellationToken);
        try
        {
            return await SubmitOrdersAsync(requests, requestedSymbols, requestedQuotes, cancellationToken);
        }
        finally
        {
            // Failed before awaiting it (no account, database down): the quote call's own failure is moot, but observed.
            _ = requestedQuotes.ContinueWith(static q => q.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
    }

    private Task<IReadOnlyList<OrderSubmission>> SubmitOrdersAsync(
        IReadOnlyList<SubmitOrderRequest> requests, List<string> requestedSymbols, Task<IReadOnlyDictionary<string, Quote>> requestedQuotes,
        CancellationToken cancellationToken) =>
        InAccountAsync<IReadOnlyList<OrderSubmission>>(async (db, account, now) =>
        {
            var clientOrderIds = requests.Select(r => r.ClientOrderId).Distinct(StringComparer.Ordinal).ToList();
            var known = await OpenOrKnownOrders.For(db)(db, _portfolioId, clientOrderIds).ToListAsync(cancellationToken);
            var open = known.Where(o => OpenStatuses.Contains(o.Status)).ToList();
            var byClientOrderId = known.ToDictionary(o => o.ClientOrderId, StringComparer.Ordinal);
            var symbols = requestedSymbols.Concat(open.Select(o => o.Symbol)).ToList();
            var quotes = await requestedQuotes;
            var restingOnly = open.Select(o => o.Symbol).Except(requestedSymbols, StringComparer.Ordinal).ToList();
            if (restingOnly.Count > 0)
            {
                quotes = new Dictionary<string, Quote>(quotes.Concat(await QuotesAsync(restingOnly, cancellationToken)), StringComparer.Ordinal);
            }

            var positions = await PositionsAsync(db, symbols, cancellationToken);

            var answers = new (SimOrder? Order, Exception? Failure)[requests.Count];
            var accepted = new List<SimOrder>();
            for (var i = 0; i < requests.Count; i++)
            {
                if (byClientOrderId.TryGetValue(requests[i].ClientOrderId, out var existing))
                {
                    // Idempotent on client_order_id: the same id never makes a second order.
                    answers[i] = (existing, null);
                    continue;
                }

                try
                {
                    var order = Accept(account, open, positions, quotes, requests[i], now);
                    db.Add(order);
                    open.Add(order);
                    byClientOrderId[order.ClientOrderId] = order;
                    accepted.Add(order);
                    answers[i] = (order, null);
                }
                catch (BrokerageException refused)
                {
                    answers[i] = (null, refused);
                }
            }

            Evaluate(db, account, open, quotes, positions, now);
            foreach (var order in accepted)
            {
                LogAccepted(order.ClientOrderId, order.Side, order.Quantity, order.Symbol, order.Status);
            }

            return [.. answers.Select((a, i) => new OrderSubmission(requests[i], a.Order?.ToBrokerOrder(), a.Failure))];
        }, cancellationToken);

    public Task<BrokerOrder?> GetOrderAsync(Guid orderId, CancellationToken cancellationToken = default) =>
        InEvaluatedAccountAsync(async db =>
            (await db.Set<SimOrder>().SingleOrDefaultAsync(o => o.AccountId == _portfolioId && o.Id == orderId, cancellationToken))?.ToBrokerOrder(),
            cancellationToken);

    public Task<BrokerOrder?> GetOrderByClientOrderIdAsync(string clientOrderId, CancellationToken cancellationToken = default) =>
        InEvaluatedAccountAsync(async db =>
            (await db.Set<SimOrder>().SingleOrDefaultAsync(o => o.AccountId == _portfolioId && o.ClientOrderId == clientOrderId, cancellationToken))?.ToBrokerOrder(),
            cancellationToken);

    public Task<IReadOnlyList<BrokerOrder>> ListOrdersAsync(ListOrdersRequest request, CancellationToken cancellationToken = default) =>
        InEvaluatedAccountAsync<IReadOnlyList<BrokerOrder>>(async db =>
        {
            var query = db.Set<SimOrder>().Where(o => o.AccountId == _portfolioId);
            query = request.Status switch
            {
                OrderListStatus.Open => query.Where(o => OpenStatuses.Contains(o.Status)),
                OrderListStatus.Closed => query.Where(o => !OpenStatuses.Contains(o.Status)),
                _ => query,
            };
            if (request.After is { } after)
            {
                query = query.Where(o => o.CreatedAt > after);
            }

            if (request.Until is { } until)
            {
                query = query.Where(o => o.CreatedAt < until);
            }

            if (request.Symbols is { Count: > 0 } symbols)
            {
                var normalized = symbols.Select(Symbols.Normalize).ToList();
                query = query.Where(o => normalized.Contains(o.Symbol));
            }

            query = request.Ascending ? query.OrderBy(o => o.CreatedAt).ThenBy(o => o.Id) : query.OrderByDescending(o => o.CreatedAt).ThenByDescending(o => o.Id);
            var orders = await query.Take(Math.Clamp(request.Limit, 1, 500)).ToListAsync(cancellationToken);
            return [.. orders.Select(o => o.ToBrokerOrder())];
        }, cancellationToken);

    public Task CancelOrderAsync(Guid orderId, CancellationToken cancellationToken = default) =>
        InEvaluatedAccountAsync(async db =>
        {
            var order = await db.Set<SimOrder>().SingleOrDefaultAsync(o => o.AccountId == _portfolioId && o.Id == orderId, cancellationToken)
                ?? throw new BrokerageNotFoundException($"order not found: {orderId}");
            if (!OpenStatuses.Contains(order.Status))
            {
                throw new OrderNotCancelableException($"order is not cancelable (status: {SnakeCaseEnumConverter<OrderStatus>.StoredName(order.Status)})");
            }

            order.Status = OrderStatus.Canceled;
            order.CanceledAt = order.UpdatedAt = _timeProvider.GetUtcNow();
            return true;
        }, cancellationToken);

    public async Task<IReadOnlyList<BrokerPosition>> ListPositionsAsync(CancellationToken cancellationToken = default) =>
        (await GetHoldingsAsync(cancellationToken)).Positions;

    public async Task<BrokerAccount> GetAccountAsync(CancellationToken cancellationToken = default) =>
        (await GetHoldingsAsync(cancellationToken)).Account;

    /// <summary>
    /// Positions and account from one state of the books. With no open order there is nothing to evaluate, so they are
    /// read by one statement (one snapshot) without the account's lock; otherwise the orders are evaluated first, under it.
    /// </summary>
    public async Task<BrokerHoldings> GetHoldingsAsync(CancellationToken cancellationToken = default)
    {
        if ((await ReadHoldingsWithNoOpenOrderAsync(_contexts, _marketData, [_portfolioId], cancellationToken)).TryGetValue(_portfolioId, out var unlocked))
        {
            return unlocked;
        }

        var book = await InAccountAsync(async (db, account, now) =>
        {
            var open = await EvaluateAsync(db, account, now, cancellationToken);
            await db.SaveChangesAsync(cancellationToken); // so the positions read next include the fills just made
            var positions = await db.Set<SimPosition>().AsNoTracking()
                .Where(p => p.AccountId == _portfolioId).OrderBy(p => p.Symbol)
                .ToListAsync(cancellationToken);
            return new SimBook(account.Cash, positions, ReservedForBuys(open));
        }, cancellationToken);

        var quotes = await QuotesAsync(book.Positions.Select(p => p.Symbol), cancellationToken);
        return ToHoldings(_portfolioId, book, quotes);
    }

    /// <summary>
    /// <see cref="GetHoldingsAsync"/> for many accounts at once: those that exist and have no open order, read by one
    /// statement and valued from one batch of quotes. The others are left out (they need evaluating under their lock).
    /// </summary>
    internal static async Task<IReadOnlyDictionary<Guid, BrokerHoldings>> ReadHoldingsWithNoOpenOrderAsync(
        IDbContextFactory<TradingDbContext> contexts, IMarketDataSource marketData, IReadOnlyCollection<Guid> portfolioIds, CancellationToken cancellationToken)
    {
        var ids = portfolioIds.ToArray();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var books = await db.Set<SimAccount>().AsNoTracking()
            .Where(a => ids.Contains(a.PortfolioId) && !db.Set<SimOrder>().Any(o => o.AccountId == a.PortfolioId && OpenStatuses.Contains(o.Status)))
            .Select(a => new
            {
                a.PortfolioId,
                a.Cash,
                Positions = db.Set<SimPosition>().Where(p => p.AccountId == a.PortfolioId).OrderBy(p => p.Symbol).ToList(),
            })
            .ToListAsync(cancellationToken);
        var quotes = await QuotesAsync(marketData, books.SelectMany(b => b.Positions).Select(p => p.Symbol), cancellationToken);
        return books.ToDictionary(b => b.PortfolioId, b => ToHoldings(b.PortfolioId, new SimBook(b.Cash, b.Positions, ReservedForBuys: 0m), quotes));
    }

    private static BrokerHoldings ToHoldings(Guid portfolioId, SimBook book, IReadOnlyDictionary<string, Quote> quotes)
    {
        IReadOnlyList<BrokerPosition> held = [.. book.Positions.Select(p => ToBrokerPosition(p, quotes.GetValueOrDefault(p.Symbol)))];
        var equity = book.Cash + held.Sum(p => p.MarketValue ?? p.CostBasis);
        var account = new BrokerAccount(portfolioId.ToString(), "ACTIVE", "USD", book.Cash, book.Cash - book.ReservedForBuys, equity, equity, TradingBlocked: false);
        return new BrokerHoldings(held, account);
    }

    public Task<MarketClock> GetClockAsync(CancellationToken cancellationToken = default)
    {
        var now = _timeProvider.GetUtcNow();
        return Task.FromResult(new MarketClock(now, _sessions.IsOpen(now), _sessions.NextOpen(now), _sessions.NextClose(now)));
    }

    public Task<IReadOnlyList<CalendarDay>> ListCalendarAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken = default)
    {
        // The calendar is the exchange's, as Alpaca's is, even when the simulated session is always open.
        IReadOnlyList<CalendarDay> days = [.. _exchangeCalendar.TradingDays(from, to).Select(s => new CalendarDay(
            s.Date, TimeOnly.FromDateTime(NewYorkTime.ToNewYork(s.Open).DateTime), TimeOnly.FromDateTime(NewYorkTime.ToNewYork(s.Close).DateTime)))];
        return Task.FromResult(days);
    }

    /// <summary>
    /// Validates a new order like Alpaca does against the account as it stands with the open orders before it
    /// (buying power net of what open buys reserve, shares net of what open sells commit); throws Alpaca's refusals.
    /// </summary>
    private SimOrder Accept(
        SimAccount account, IReadOnlyList<SimOrder> open, IReadOnlyDictionary<string, SimPosition> positions,
        IReadOnlyDictionary<string, Quote> quotes, SubmitOrderRequest request, DateTimeOffset now)
    {
        string symbol;
        try
        {
            Order.Validate(request.Type, request.TimeInForce, request.Quantity, request.Notional, request.LimitPrice, request.StopPrice);
            symbol = Symbols.Normalize(request.Symbol);
        }
        catch (DomainException invalid)
        {
            throw new InvalidOrderException(invalid.Message);
        }

        if (!quotes.TryGetValue(symbol, out var quote))
        {
            throw new InvalidOrderException($"asset \"{symbol}\" not found");
        }

        if (request.Type == OrderType.Market && !_sessions.IsOpen(now))
        {
            throw new MarketClosedException("market orders are not accepted while the market is closed");
        }

        var market = SimulatedOrderMatcher.MarketPrice(request.Side, quote, _options.SlippageBasisPoints);
        var reservedPrice = request.Type switch
        {
            OrderType.Limit or OrderType.StopLimit => request.LimitPrice!.Value,
            OrderType.Stop => request.Side == OrderSide.Buy ? Math.Max(request.StopPrice!.Value, market) : market,
            _ => market,
        };
        var quantity = request.Quantity ?? Math.Floor(request.Notional!.Value / market * 1_000_000_000m) / 1_000_000_000m;
        if (quantity <= 0)
        {
            throw new InvalidOrderException("notional is too small to buy any quantity");
        }

        if (request.Side == OrderSide.Buy)
        {
            var available = account.Cash - ReservedForBuys(open);
            var required = DecimalRounding.Money(request.Notional ?? (quantity * reservedPrice));
            if (required > available)
            {
                throw new InsufficientBuyingPowerException($"insufficient buying power (required: {DecimalRounding.Format(required)}, available: {DecimalRounding.Format(available)})");
            }
        }
        else if (!_options.AllowShorting)
        {
            var held = positions.GetValueOrDefault(symbol)?.Quantity ?? 0m;
            var committed = open.Where(o => o.Symbol == symbol && o.Side == OrderSide.Sell).Sum(o => o.RemainingQuantity);
            var available = Math.Max(held - committed, 0m);
            if (quantity > available)
            {
                throw new InsufficientSharesException($"insufficient qty available for order (requested: {DecimalRounding.Format(quantity)}, available: {DecimalRounding.Format(available)})");
            }
        }

        return new SimOrder
        {
            Id = Guid.CreateVersion7(now),
            AccountId = _portfolioId,
            ClientOrderId = request.ClientOrderId,
            Symbol = symbol,
            Side = request.Side,
            Type = request.Type,
            TimeInForce = request.TimeInForce,
            Quantity = quantity,
            Notional = request.Notional,
            LimitPrice = request.LimitPrice,
            StopPrice = request.StopPrice,
            Status = OrderStatus.New,
            ReservedPrice = reservedPrice,
            CreatedAt = now,
            UpdatedAt = now,
            ExpiresAt = request.TimeInForce == TimeInForce.Day ? _sessions.NextClose(now) : null,
        };
    }

    /// <summary>
    /// Expires, fills or leaves each open order, oldest first, against the quotes of now. Answers the orders that were
    /// open before (tracked, with their new status).
    /// </summary>
    private async Task<List<SimOrder>> EvaluateAsync(TradingDbContext db, SimAccount account, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var open = await db.Set<SimOrder>()
            .Where(o => o.AccountId == _portfolioId && OpenStatuses.Contains(o.Status))
            .OrderBy(o => o.CreatedAt).ThenBy(o => o.Id)
            .ToListAsync(cancellationToken);
        if (open.Count == 0)
        {
            return open;
        }

        var sessionOpen = _sessions.IsOpen(now);
        var quotes = sessionOpen ? await QuotesAsync(open.Select(o => o.Symbol), cancellationToken) : new Dictionary<string, Quote>();
        var positions = sessionOpen ? await PositionsAsync(db, open.Select(o => o.Symbol), cancellationToken) : [];
        Evaluate(db, account, open, quotes, positions, now);
        return open;
    }

    /// <summary>
    /// Expires, fills or leaves each of <paramref name="open"/> (oldest first) against <paramref name="quotes"/>;
    /// <paramref name="positions"/> holds the account's positions in their symbols (tracked), and gains the new ones.
    /// </summary>
    private void Evaluate(
        TradingDbContext db, SimAccount account, IReadOnlyList<SimOrder> open, IReadOnlyDictionary<string, Quote> quotes,
        Dictionary<string, SimPosition> positions, DateTimeOffset now)
    {
        var sessionOpen = _sessions.IsOpen(now);
        foreach (var order in open)
        {
            if (order.ExpiresAt is { } expiresAt && now >= expiresAt)
            {
                order.Status = OrderStatus.Expired;
                order.ExpiredAt = order.UpdatedAt = expiresAt;
                continue;
            }

            if (!sessionOpen || now < order.CreatedAt + _options.FillLatency || !quotes.TryGetValue(order.Symbol, out var quote))
            {
                continue;
            }

            Match(db, account, order, quote, positions, now);
        }

        // A position closed by one fill may be reopened by a later one of the same evaluation: removed only at the end.
        foreach (var closed in positions.Values.Where(p => p.Quantity == 0).ToList())
        {
            positions.Remove(closed.Symbol);
            var entry = db.Entry(closed);
            if (entry.State == EntityState.Added)
            {
                entry.State = EntityState.Detached;
            }
            else
            {
                db.Remove(closed);
            }
        }
    }

    private void Match(TradingDbContext db, SimAccount account, SimOrder order, Quote quote, Dictionary<string, SimPosition> positions, DateTimeOffset now)
    {
        var immediate = order.TimeInForce is TimeInForce.Ioc or TimeInForce.Fok;
        var price = SimulatedOrderMatcher.ExecutablePrice(order, quote, _options.SlippageBasisPoints);
        var quantity = _options.MaxFillQuantityPerEvaluation is { } max ? Math.Min(order.RemainingQuantity, max) : order.RemainingQuantity;
        if (price is { } executable && !(order.TimeInForce == TimeInForce.Fok && quantity < order.RemainingQuantity))
        {
            Fill(db, account, order, quantity, executable, positions, now);
        }

        if (immediate && order.RemainingQuantity > 0)
        {
            // IOC keeps what filled and cancels the rest; FOK fills all at once or nothing.
            order.Status = OrderStatus.Canceled;
            order.CanceledAt = order.UpdatedAt = now;
        }
    }

    private void Fill(TradingDbContext db, SimAccount account, SimOrder order, decimal quantity, decimal price, Dictionary<string, SimPosition> positions, DateTimeOffset now)
    {
        order.AverageFillPrice = DecimalRounding.Price((((order.AverageFillPrice ?? 0m) * order.FilledQuantity) + (quantity * price)) / (order.FilledQuantity + quantity));
        order.FilledQuantity += quantity;
        order.Status = order.RemainingQuantity == 0 ? OrderStatus.Filled : OrderStatus.PartiallyFilled;
        order.FilledAt = order.Status == OrderStatus.Filled ? now : null;
        order.UpdatedAt = now;

        var signed = order.Side == OrderSide.Buy ? quantity : -quantity;
        account.Cash = DecimalRounding.Money(account.Cash - (signed * price));
        account.UpdatedAt = now;

        if (!positions.TryGetValue(order.Symbol, out var position))
        {
            position = new SimPosition { AccountId = _portfolioId, Symbol = order.Symbol };
            db.Add(position);
            positions.Add(order.Symbol, position);
        }

        if (position.Quantity == 0 || Math.Sign(position.Quantity) == Math.Sign(signed))
        {
            position.Quantity += signed;
            position.CostBasis = DecimalRounding.Money(position.CostBasis + (signed * price));
            return;
        }

        var closing = Math.Sign(signed) * Math.Min(Math.Abs(signed), Math.Abs(position.Quantity));
        position.CostBasis -= DecimalRounding.Money(position.CostBasis * Math.Abs(closing) / Math.Abs(position.Quantity));
        position.Quantity += closing;
        var opening = signed - closing;
        if (opening != 0)
        {
            position.Quantity = opening;
            position.CostBasis = DecimalRounding.Money(opening * price);
        }
    }

    /// <summary>The account's positions in <paramref name="symbols"/>, tracked, by symbol (one query).</summary>
    private async Task<Dictionary<string, SimPosition>> PositionsAsync(TradingDbContext db, IEnumerable<string> symbols, CancellationToken cancellationToken)
    {
        var distinct = symbols.Distinct(StringComparer.Ordinal).ToList();
        return distinct.Count == 0
            ? new Dictionary<string, SimPosition>(StringComparer.Ordinal)
            : await PositionsIn.For(db)(db, _portfolioId, distinct).ToDictionaryAsync(p => p.Symbol, StringComparer.Ordinal, cancellationToken);
    }

    // Compiled once, the queries every submitted order runs: no expression tree to extract parameters from and look up.
    private static readonly CompiledQueryPerModel<Func<TradingDbContext, Guid, List<string>, IAsyncEnumerable<SimOrder>>> OpenOrKnownOrders = new(() =>
        EF.CompileAsyncQuery((TradingDbContext db, Guid accountId, List<string> clientOrderIds) =>
            db.Set<SimOrder>()
                .Where(o => o.AccountId == accountId
                    && (OpenStatuses.Contains(o.Status) || clientOrderIds.Contains(o.ClientOrderId)))
                .OrderBy(o => o.CreatedAt).ThenBy(o => o.Id).AsQueryable())); // IQueryable, so the enumerable overload is chosen

    private static readonly CompiledQueryPerModel<Func<TradingDbContext, Guid, List<string>, IAsyncEnumerable<SimPosition>>> PositionsIn = new(() =>
        EF.CompileAsyncQuery((TradingDbContext db, Guid accountId, List<string> symbols) =>
            db.Set<SimPosition>().Where(p => p.AccountId == accountId && symbols.Contains(p.Symbol))));

    private static string? NormalizedOrNull(string symbol)
    {
        try
        {
            return Symbols.Normalize(symbol);
        }
        catch (Exception invalid) when (invalid is DomainException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>The cash held back from buying power by the open buys among <paramref name="orders"/>: what is left to buy at its reserved price.</summary>
    private static decimal ReservedForBuys(IEnumerable<SimOrder> orders) =>
        DecimalRounding.Money(orders.Where(o => o.Side == OrderSide.Buy && OpenStatuses.Contains(o.Status)).Sum(o => o.RemainingQuantity * o.ReservedPrice));

    private Task<IReadOnlyDictionary<string, Quote>> QuotesAsync(IEnumerable<string> symbols, CancellationToken cancellationToken) =>
        QuotesAsync(_marketData, symbols, cancellationToken);

    private static async Task<IReadOnlyDictionary<string, Quote>> QuotesAsync(IMarketDataSource marketData, IEnumerable<string> symbols, CancellationToken cancellationToken)
    {
        var distinct = symbols.Distinct(StringComparer.Ordinal).ToList();
        if (distinct.Count == 0)
        {
            return new Dictionary<string, Quote>();
        }

        var quotes = await marketData.GetQuotesAsync(distinct, cancellationToken);
        return quotes.Where(q => SimulatedOrderMatcher.IsUsable(q.Value)).ToDictionary(q => q.Key, q => q.Value, StringComparer.Ordinal);
    }

    private static BrokerPosition ToBrokerPosition(SimPosition position, Quote? quote)
    {
        var price = quote?.LastPrice is > 0 ? quote.LastPrice : quote?.MidPrice;
        var marketValue = price is { } p ? DecimalRounding.Money(position.Quantity * p) : (decimal?)null;
        return new BrokerPosition(
            position.Symbol, position.Quantity, DecimalRounding.Price(position.AverageEntryPrice), position.CostBasis,
            marketValue, price, marketValue - position.CostBasis);
    }

    private Task<T> InEvaluatedAccountAsync<T>(Func<TradingDbContext, Task<T>> action, CancellationToken cancellationToken) =>
        InAccountAsync(async (db, account, now) =>
        {
            await EvaluateAsync(db, account, now, cancellationToken);
            return await action(db);
        }, cancellationToken);

    /// <summary>Runs <paramref name="action"/> in a transaction holding the account's row lock (creating the account on first use).</summary>
    private async Task<T> InAccountAsync<T>(Func<TradingDbContext, SimAccount, DateTimeOffset, Task<T>> action, CancellationToken cancellationToken)
    {
        await using var db = await _contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionWithoutSavepointsAsync(cancellationToken);
        var now = _timeProvider.GetUtcNow();
        var account = await LockAccountAsync(db, cancellationToken);
        if (account is null)
        {
            // First use: open the account (a concurrent first use may win the insert; both then lock the same row).
            await db.Database.ExecuteSqlAsync(
                $"""
                INSERT INTO sim_accounts (portfolio_id, cash, created_at, updated_at)
                SELECT id, starting_cash, {now}, {now} FROM portfolios WHERE id = {_portfolioId}
                ON CONFLICT (portfolio_id) DO NOTHING
                """,
                cancellationToken);
            account = await LockAccountAsync(db, cancellationToken)
                ?? throw new BrokerageNotFoundException($"no simulated account: portfolio {_portfolioId} does not exist");
        }

        var result = await action(db, account, now);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    private sealed record SimBook(decimal Cash, IReadOnlyList<SimPosition> Positions, decimal ReservedForBuys);

    private Task<SimAccount?> LockAccountAsync(TradingDbContext db, CancellationToken cancellationToken) =>
        db.Set<SimAccount>().FromSql($"SELECT * FROM sim_accounts WHERE portfolio_id = {_portfolioId} FOR UPDATE").SingleOrDefaultAsync(cancellationToken);

    [LoggerMessage(LogLevel.Information, "Simulated exchange accepted {ClientOrderId}: {Side} {Quantity} {Symbol}, now {Status}")]
    private partial void LogAccepted(string clientOrderId, OrderSide side, decimal quantity, string symbol, OrderStatus status);
}
