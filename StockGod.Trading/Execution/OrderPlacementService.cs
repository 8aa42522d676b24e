using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using StockGod.Trading.Domain;
using StockGod.Trading.Domain.Orders;
using StockGod.Trading.Domain.Portfolios;
using StockGod.Trading.Persistence;

namespace StockGod.Trading.Execution;

/// <summary>The placed order as saved, and whether the client_order_id named an order that already existed.</summary>
public sealed record OrderPlacement(Order Order, bool AlreadyExisted);

/// <summary>
/// Places orders for the Api and the Scheduler alike: validates, saves the order in pending_new with its
/// client_order_id BEFORE anything is sent, sends it through the portfolio's gateway and records the answer (fills
/// included, through <see cref="OrderUpdateService"/>). A timeout or 5xx is answered by looking the order up by its
/// client_order_id, never by sending blindly again; a refusal is recorded on the order with the broker's reason.
/// </summary>
public sealed partial class OrderPlacementService(
    TradingDbContext db,
    IBrokerageGatewayFactory gateways,
    OrderUpdateService updates,
    TimeProvider timeProvider,
    ILogger<OrderPlacementService> logger)
{
    /// <summary>
    /// Places the order. Business-rule refusals before anything is saved (unknown portfolio, live trading off, selling
    /// more than held, invalid order) throw <see cref="DomainException"/>s; broker refusals come back as a rejected order.
    /// </summary>
    public async Task<OrderPlacement> PlaceAsync(PlaceOrder command, CancellationToken cancellationToken = default)
    {
        var (order, mode, existed) = await SaveNewOrderAsync(command, cancellationToken);
        if (existed)
        {
            return new OrderPlacement(order, AlreadyExisted: true);
        }

        await SendAsync(gateways.For(order.PortfolioId, mode), order, cancellationToken);
        return new OrderPlacement(await ReloadAsync(order.Id, cancellationToken), AlreadyExisted: false);
    }

    /// <summary>
    /// Sends an order that was saved but whose sending never completed (the process stopped, the broker timed out twice):
    /// first asks the broker whether it has the client_order_id, and sends only if it does not.
    /// </summary>
    public async Task<Order> ResumeAsync(Guid orderId, CancellationToken cancellationToken = default)
    {
        db.ChangeTracker.Clear();
        var order = await db.Orders.AsNoTracking().SingleAsync(o => o.Id == orderId, cancellationToken);
        if (order.Status != OrderStatus.PendingNew)
        {
            return order;
        }

        var mode = await db.Portfolios.Where(p => p.Id == order.PortfolioId).Select(p => p.TradingMode).SingleAsync(cancellationToken);
        var gateway = gateways.For(order.PortfolioId, mode);
        var snapshot = await TryFindAsync(gateway, order, cancellationToken);
        if (snapshot is not null)
        {
            await updates.ApplyAsync(order.PortfolioId, snapshot, cancellationToken);
        }
        else
        {
            await SendAsync(gateway, order, cancellationToken);
        }

        return await ReloadAsync(order.Id, cancellationToken);
    }

    private async Task<(Order Order, TradingMode Mode, bool Existed)> SaveNewOrderAsync(PlaceOrder command, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        var now = timeProvider.GetUtcNow();
        var clientOrderId = string.IsNullOrWhiteSpace(command.ClientOrderId) ? NewClientOrderId(now) : command.ClientOrderId.Trim();
        var order = Order.Create(
            Guid.CreateVersion7(now), command.PortfolioId, clientOrderId, command.Symbol, command.Side, command.Type, command.TimeInForce,
            command.Quantity, command.Notional, command.LimitPrice, command.StopPrice, now, command.StrategyId, command.SignalId);

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var portfolio = await db.LockPortfolioAsync(command.PortfolioId, cancellationToken)
            ?? throw new PortfolioNotFoundException(command.PortfolioId);
        if (await FindExistingAsync(order, cancellationToken) is { } existing)
        {
            return (existing, portfolio.TradingMode, true);
        }

        if (!portfolio.CanTrade)
        {
            throw new DomainException($"Live trading is not enabled for portfolio {portfolio.Id}.");
        }

        if (order is { Side: OrderSide.Sell, Quantity: { } quantity })
        {
            // Under the row lock, so two sells racing for the same shares cannot both pass.
            var openSells = await db.Orders
                .Where(o => o.PortfolioId == portfolio.Id && o.Symbol == order.Symbol && o.Side == OrderSide.Sell)
                .Where(o => OpenStatuses.Contains(o.Status))
                .Select(o => (o.Quantity ?? 0m) - o.FilledQuantity)
                .SumAsync(cancellationToken);
            portfolio.EnsureCanSell(order.Symbol, quantity, openSells);
        }

        db.Orders.Add(order);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        LogSaved(order.ClientOrderId, order.Side, order.Symbol, order.PortfolioId);
        return (order, portfolio.TradingMode, false);
    }

    private async Task<Order?> FindExistingAsync(Order order, CancellationToken cancellationToken)
    {
        var existing = await db.Orders.AsNoTracking()
            .SingleOrDefaultAsync(o => o.PortfolioId == order.PortfolioId && o.ClientOrderId == order.ClientOrderId, cancellationToken);
        if (existing is null)
        {
            return null;
        }

        var same = existing.Symbol == order.Symbol && existing.Side == order.Side && existing.Type == order.Type
            && existing.TimeInForce == order.TimeInForce && existing.LimitPrice == order.LimitPrice && existing.StopPrice == order.StopPrice
            && existing.Notional == order.Notional && (existing.Notional is not null || existing.Quantity == order.Quantity);
        return same ? existing : throw new ClientOrderIdConflictException(order.ClientOrderId);
    }

    private async Task SendAsync(IBrokerageGateway gateway, Order order, CancellationToken cancellationToken)
    {
        BrokerOrder? snapshot;
        try
        {
            snapshot = await gateway.SubmitOrderAsync(order.ToSubmitRequest(), cancellationToken);
        }
        catch (BrokerageException refused) when (!refused.IsTransient)
        {
            await RecordRejectionAsync(order.Id, refused.Message, cancellationToken);
            return;
        }
        catch (Exception failure) when (IsTransient(failure, cancellationToken))
        {
            LogUncertain(failure, order.ClientOrderId);
            snapshot = await TryFindAsync(gateway, order, cancellationToken);
            if (snapshot is null)
            {
                // Still unknown: the order stays pending_new and ResumeAsync (the Scheduler's order sync) finishes it.
                return;
            }
        }

        await updates.ApplyAsync(order.PortfolioId, snapshot, cancellationToken);
    }

    /// <summary>Asks the broker for the order by client_order_id; null when it does not have it or cannot say.</summary>
    private async Task<BrokerOrder?> TryFindAsync(IBrokerageGateway gateway, Order order, CancellationToken cancellationToken)
    {
        try
        {
            return await gateway.GetOrderByClientOrderIdAsync(order.ClientOrderId, cancellationToken);
        }
        catch (Exception failure) when (IsTransient(failure, cancellationToken))
        {
            LogLookupFailed(failure, order.ClientOrderId);
            return null;
        }
    }

    private async Task RecordRejectionAsync(Guid orderId, string reason, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        var order = await db.Orders.SingleAsync(o => o.Id == orderId, cancellationToken);
        order.Reject(reason, timeProvider.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        LogRejected(order.ClientOrderId, reason);
    }

    private async Task<Order> ReloadAsync(Guid orderId, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        return await db.Orders.AsNoTracking().Include(o => o.Fills).SingleAsync(o => o.Id == orderId, cancellationToken);
    }

    private static bool IsTransient(Exception failure, CancellationToken cancellationToken) => failure switch
    {
        BrokerageException broker => broker.IsTransient,
        TimeoutException or HttpRequestException => true,
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };

    /// <summary>Alpaca allows 128 characters; ours sort by creation time.</summary>
    private static string NewClientOrderId(DateTimeOffset now) => $"sg-{Guid.CreateVersion7(now):N}";

    private static readonly OrderStatus[] OpenStatuses = [.. Enum.GetValues<OrderStatus>().Where(s => s.IsOpen())];

    [LoggerMessage(LogLevel.Information, "Saved order {ClientOrderId} ({Side} {Symbol}) for portfolio {PortfolioId} before sending")]
    private partial void LogSaved(string clientOrderId, OrderSide side, string symbol, Guid portfolioId);

    [LoggerMessage(LogLevel.Warning, "Sending order {ClientOrderId} failed transiently; looking it up instead of sending again")]
    private partial void LogUncertain(Exception failure, string clientOrderId);

    [LoggerMessage(LogLevel.Warning, "Could not look up order {ClientOrderId}; it stays pending_new until the order sync resumes it")]
    private partial void LogLookupFailed(Exception failure, string clientOrderId);

    [LoggerMessage(LogLevel.Information, "Order {ClientOrderId} was rejected: {Reason}")]
    private partial void LogRejected(string clientOrderId, string reason);
}
