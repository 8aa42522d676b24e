namespace StockGod.Trading.Domain.Orders;

/// <summary>A client_order_id was sent again with different order details: an idempotency key reused for another order.</summary>
public sealed class ClientOrderIdConflictException(string clientOrderId)
    : DomainException($"client_order_id '{clientOrderId}' was already used for a different order.")
{
    public string ClientOrderId { get; } = clientOrderId;
}
