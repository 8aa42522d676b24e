using StockGod.Trading.Brokerage;

namespace StockGod.Testing;

/// <summary>Forwards everything, the batch included, to the gateway it wraps; tests override what they watch.</summary>
public class ForwardingGateway(IBrokerageGateway inner) : IBrokerageGateway
{
    public virtual Task<BrokerOrder> SubmitOrderAsync(SubmitOrderRequest request, CancellationToken cancellationToken = default) => inner.SubmitOrderAsync(request, cancellationToken);

    public virtual Task<IReadOnlyList<OrderSubmission>> SubmitOrdersAsync(IReadOnlyList<SubmitOrderRequest> requests, CancellationToken cancellationToken = default) =>
        inner.SubmitOrdersAsync(requests, cancellationToken);

    public Task<BrokerOrder?> GetOrderAsync(Guid orderId, CancellationToken cancellationToken = default) => inner.GetOrderAsync(orderId, cancellationToken);

    public Task<BrokerOrder?> GetOrderByClientOrderIdAsync(string clientOrderId, CancellationToken cancellationToken = default) =>
        inner.GetOrderByClientOrderIdAsync(clientOrderId, cancellationToken);

    public Task<IReadOnlyList<BrokerOrder>> ListOrdersAsync(ListOrdersRequest request, CancellationToken cancellationToken = default) => inner.ListOrdersAsync(request, cancellationToken);

    public Task CancelOrderAsync(Guid orderId, CancellationToken cancellationToken = default) => inner.CancelOrderAsync(orderId, cancellationToken);

    public Task<IReadOnlyList<BrokerPosition>> ListPositionsAsync(CancellationToken cancellationToken = default) => inner.ListPositionsAsync(cancellationToken);

    public Task<BrokerAccount> GetAccountAsync(CancellationToken cancellationToken = default) => inner.GetAccountAsync(cancellationToken);

    public Task<MarketClock> GetClockAsync(CancellationToken cancellationToken = default) => inner.GetClockAsync(cancellationToken);

    public Task<IReadOnlyList<CalendarDay>> ListCalendarAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken = default) =>
        inner.ListCalendarAsync(from, to, cancellationToken);
}
