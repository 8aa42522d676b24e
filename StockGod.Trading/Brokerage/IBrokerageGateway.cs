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

    /// <summary>
    /// Sends several orders of this account, each already saved by the caller, and answers one
    /// <see cref="OrderSubmission"/> per request, in order: the order, or the broker's failure for that request alone.
    /// Anything else (not a broker failure) is thrown and leaves the remaining requests unsent. This default sends
    /// them one by one (Alpaca has no batch order endpoint); the simulated exchange takes them in one account transaction.
    /// </summary>
    async Task<IReadOnlyList<OrderSubmission>> SubmitOrdersAsync(IReadOnlyList<SubmitOrderRequest> requests, CancellationToken cancellationToken = default)
    {
        var answers = new List<OrderSubmission>(requests.Count);
        foreach (var request in requests)
        {
            try
            {
                answers.Add(new OrderSubmission(request, await SubmitOrderAsync(request, cancellationToken), null));
            }
            catch (Exception failure) when (OrderSubmission.IsBrokerFailure(failure, cancellationToken))
            {
                answers.Add(new OrderSubmission(request, null, failure));
            }
        }

        return answers;
    }

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

/// <summary>The broker's answer to one order of a batch: the order as it took it, or why it did not (exactly one is set).</summary>
public sealed record OrderSubmission(SubmitOrderRequest Request, BrokerOrder? Order, Exception? Failure)
{
    /// <summary>Whether the broker may have taken the order although it did not say so (a timeout, a 5xx, rate limiting).</summary>
    public bool IsUncertain => Failure is not null && IsTransient(Failure, CancellationToken.None);

    /// <summary>Failures that concern one request and leave the others sendable: the broker's refusals and transient failures.</summary>
    public static bool IsBrokerFailure(Exception failure, CancellationToken cancellationToken) =>
        failure is BrokerageException || IsTransient(failure, cancellationToken);

    /// <summary>Whether trying again (or looking the order up) may succeed: timeouts, unreachable brokers, 5xx, 429.</summary>
    public static bool IsTransient(Exception failure, CancellationToken cancellationToken) => failure switch
    {
        BrokerageException broker => broker.IsTransient,
        TimeoutException or HttpRequestException => true,
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };
}
