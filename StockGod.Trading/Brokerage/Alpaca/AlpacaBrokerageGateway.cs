using Microsoft.Extensions.Logging;

namespace StockGod.Trading.Brokerage.Alpaca;

/// <summary>
/// An Alpaca paper or live account behind <see cref="IBrokerageGateway"/>. Orders are sent at most once per proof that
/// the earlier send did not land: after a timeout or 5xx the order is looked up by its client_order_id and sent again
/// only when Alpaca has no such order, after an exponentially growing pause
/// (<see cref="AlpacaAccountOptions.OrderResendDelay"/>) so a struggling Alpaca is not hammered.
/// </summary>
public sealed partial class AlpacaBrokerageGateway : IBrokerageGateway
{
    private readonly AlpacaTradingClient _client;
    private readonly AlpacaAccountOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<AlpacaBrokerageGateway> _logger;

    internal AlpacaBrokerageGateway(
        TradingMode mode,
        AlpacaTradingClient client,
        AlpacaAccountOptions options,
        TimeProvider timeProvider,
        ILogger<AlpacaBrokerageGateway> logger)
    {
        Mode = mode;
        _client = client;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public TradingMode Mode { get; }

    public async Task<BrokerOrder> SubmitOrderAsync(SubmitOrderRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(request.ClientOrderId);
        var order = AlpacaMapping.ToAlpaca(request);
        for (var send = 1; ; send++)
        {
            try
            {
                return AlpacaMapping.ToBrokerOrder(await _client.SubmitOrderAsync(order, cancellationToken).ConfigureAwait(false));
            }
            catch (DuplicateClientOrderIdException)
            {
                // An earlier send whose answer we lost (or another replica) placed it: that order is the answer,
                // provided it is the same order and not an id reused for something else.
                LogAlreadyPlaced(_logger, Mode, request.ClientOrderId);
                var existing = await _client.GetOrderByClientOrderIdAsync(request.ClientOrderId, cancellationToken).ConfigureAwait(false)
                    ?? throw new BrokerageUnavailableException(
                        $"Alpaca says client_order_id '{request.ClientOrderId}' is taken but does not find the order; try again later.");
                return IsSameOrder(existing, order)
                    ? AlpacaMapping.ToBrokerOrder(existing)
                    : throw new InvalidOrderException(
                        $"client_order_id '{request.ClientOrderId}' already belongs to a different order ({existing.Side} {existing.Qty ?? existing.Notional} {existing.Symbol}).");
            }
            catch (BrokerageUnavailableException exception)
            {
                // Unknown outcome. If the lookup fails too, the exception leaves with the id still unresolved and the
                // caller, who saved the id before sending, reconciles later by the same id.
                LogOutcomeUnknown(_logger, exception, Mode, request.ClientOrderId, send);
                var landed = await _client.GetOrderByClientOrderIdAsync(request.ClientOrderId, cancellationToken).ConfigureAwait(false);
                if (landed is not null)
                {
                    return AlpacaMapping.ToBrokerOrder(landed);
                }

                if (send >= _options.OrderSendAttempts)
                {
                    throw;
                }

                await Task.Delay(ResendDelay(send), _timeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public async Task<BrokerOrder?> GetOrderAsync(Guid orderId, CancellationToken cancellationToken = default) =>
        await _client.GetOrderAsync(orderId, cancellationToken).ConfigureAwait(false) is { } order
            ? AlpacaMapping.ToBrokerOrder(order)
            : null;

    public async Task<BrokerOrder?> GetOrderByClientOrderIdAsync(string clientOrderId, CancellationToken cancellationToken = default) =>
        await _client.GetOrderByClientOrderIdAsync(clientOrderId, cancellationToken).ConfigureAwait(false) is { } order
            ? AlpacaMapping.ToBrokerOrder(order)
            : null;

    /// <summary>
    /// Pages through <c>GET /v2/orders</c> (at most 500 a page) by moving the exclusive <c>until</c> (descending) or
    /// <c>after</c> (ascending) bound to the last order of the page, one tick beyond it: the bounds are exclusive, orders
    /// can share a submission time, and .NET truncates Alpaca's nanoseconds. The overlap is removed by order id.
    /// </summary>
    public async Task<IReadOnlyList<BrokerOrder>> ListOrdersAsync(ListOrdersRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(request.Limit);
        var status = request.Status switch
        {
            OrderListStatus.Open => "open",
            OrderListStatus.Closed => "closed",
            _ => "all",
        };
        var pageSize = Math.Min(request.Limit, AlpacaTradingClient.MaxOrdersPerPage);
        var orders = new List<BrokerOrder>();
        var seen = new HashSet<Guid>();
        var (after, until) = (request.After, request.Until);
        while (orders.Count < request.Limit)
        {
            var page = await _client.ListOrdersAsync(status, after, until, pageSize, request.Ascending, request.Symbols, cancellationToken)
                .ConfigureAwait(false);
            var added = 0;
            foreach (var order in page)
            {
                if (orders.Count < request.Limit && seen.Add(order.Id))
                {
                    orders.Add(AlpacaMapping.ToBrokerOrder(order));
                    added++;
                }
            }

            if (page.Count < pageSize || added == 0)
            {
                break;
            }

            var boundary = page[^1].SubmittedAt ?? page[^1].CreatedAt;
            if (request.Ascending)
            {
                after = boundary.AddTicks(-1);
            }
            else
            {
                until = boundary.AddTicks(1);
            }
        }

        return orders;
    }

    public Task CancelOrderAsync(Guid orderId, CancellationToken cancellationToken = default) =>
        _client.CancelOrderAsync(orderId, cancellationToken);

    public async Task<IReadOnlyList<BrokerPosition>> ListPositionsAsync(CancellationToken cancellationToken = default) =>
        [.. (await _client.ListPositionsAsync(cancellationToken).ConfigureAwait(false)).Select(AlpacaMapping.ToBrokerPosition)];

    public async Task<BrokerAccount> GetAccountAsync(CancellationToken cancellationToken = default) =>
        AlpacaMapping.ToBrokerAccount(await _client.GetAccountAsync(cancellationToken).ConfigureAwait(false));

    public async Task<MarketClock> GetClockAsync(CancellationToken cancellationToken = default) =>
        AlpacaMapping.ToMarketClock(await _client.GetClockAsync(cancellationToken).ConfigureAwait(false));

    public async Task<IReadOnlyList<CalendarDay>> ListCalendarAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken = default) =>
        [.. (await _client.ListCalendarAsync(from, to, cancellationToken).ConfigureAwait(false)).Select(AlpacaMapping.ToCalendarDay)];

    /// <summary>Doubles with every send that did not land: 1×, 2×, 4× the configured delay.</summary>
    private TimeSpan ResendDelay(int sendsSoFar) => _options.OrderResendDelay * Math.Pow(2, sendsSoFar - 1);

    private static bool IsSameOrder(AlpacaOrder existing, AlpacaNewOrder sent) =>
        existing.Symbol == sent.Symbol && existing.Side == sent.Side && existing.Qty == sent.Qty && existing.Notional == sent.Notional;

    [LoggerMessage(LogLevel.Warning, "Alpaca {Mode}: sending order {ClientOrderId} (send {Send}) had no clear answer; looking it up by client_order_id")]
    private static partial void LogOutcomeUnknown(ILogger logger, Exception exception, TradingMode mode, string clientOrderId, int send);

    [LoggerMessage(LogLevel.Information, "Alpaca {Mode}: order {ClientOrderId} had already been placed; answering the existing order")]
    private static partial void LogAlreadyPlaced(ILogger logger, TradingMode mode, string clientOrderId);
}
