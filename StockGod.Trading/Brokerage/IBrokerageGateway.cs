namespace StockGod.Trading.Brokerage;

/// <summary>
/// One brokerage account, spoken to in Alpaca's vocabulary (Lean's <c>IBrokerage</c> seam): the simulated exchange and
/// Alpaca paper/live implement it, and the code that trades, polls and reconciles never knows which one it has.
/// Failures are <see cref="BrokerageException"/>s; "not found" answers of lookups are null.
/// </summary>
public interface IBrokerageGateway
{
    /// <summary>Sends an order. The caller has already saved <see cref="SubmitOrderRequest.ClientOrderId"/>; an
    /// implementation never sends one id twice and answers the existing order when it already landed.</summary>
    Task<BrokerOrder> SubmitOrderAsync(SubmitOrderRequest request, CancellationToken cancellationToken = default);

    Task<BrokerOrder?> GetOrderAsync(Guid orderId, CancellationToken cancellationToken = default);

    Task<BrokerOrder?> GetOrderByClientOrderIdAsync(string clientOrderId, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<BrokerOrder>> ListOrdersAsync(ListOrdersRequest request, CancellationToken cancellationToken = default);

    /// <summary>Requests cancellation; throws <see cref="OrderNotCancelableException"/> when the order is already done.</summary>
    Task CancelOrderAsync(Guid orderId, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<BrokerPosition>> ListPositionsAsync(CancellationToken cancellationToken = default);

    Task<BrokerAccount> GetAccountAsync(CancellationToken cancellationToken = default);

    /// <summary>Positions and account together (position_sync's read). By default the two calls in turn; a gateway that
    /// can read both at once, from one consistent state, does so.</summary>
    async Task<BrokerHoldings> GetHoldingsAsync(CancellationToken cancellationToken = default) =>
        new(await ListPositionsAsync(cancellationToken), await GetAccountAsync(cancellationToken));

    Task<MarketClock> GetClockAsync(CancellationToken cancellationToken = default);

    Task<IReadOnlyList<CalendarDay>> ListCalendarAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken = default);
}

/// <summary>Picks the gateway for a portfolio's trading mode. The simulated exchange keeps one account per portfolio.</summary>
public interface IBrokerageGatewayFactory
{
    IBrokerageGateway For(Guid portfolioId, TradingMode mode);

    /// <summary>Whether the mode can be used at all (Alpaca modes need keys in configuration).</summary>
    bool IsAvailable(TradingMode mode);

    /// <summary>
    /// Holdings of several portfolios' accounts read together, for the accounts the broker can answer that way (the
    /// simulated exchange: those with no open order, in one statement); the others are left out, to be asked one by
    /// one through <see cref="IBrokerageGateway.GetHoldingsAsync"/>. By default every account is left out.
    /// </summary>
    Task<IReadOnlyDictionary<Guid, BrokerHoldings>> ReadHoldingsTogetherAsync(TradingMode mode, IReadOnlyCollection<Guid> portfolioIds, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyDictionary<Guid, BrokerHoldings>>(new Dictionary<Guid, BrokerHoldings>());
}
