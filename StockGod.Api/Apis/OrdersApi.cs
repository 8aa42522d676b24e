using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using StockGod.Api.Identity;
using StockGod.Api.Infrastructure;
using StockGod.Api.Idempotency;
using StockGod.Trading.Domain;
using StockGod.Trading.Domain.Portfolios;
using StockGod.Trading.Execution;
using StockGod.Trading.Persistence;

namespace StockGod.Api.Apis;

public static class OrdersApi
{
    public static RouteGroupBuilder MapOrdersApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapApiGroup("portfolios/{portfolioId:guid}/orders", "Orders");
        api.MapPost("/", PlaceAsync).WithIdempotency().WithSummary("Place a market, limit, stop or stop_limit order (saved before it is sent)");
        api.MapGet("/", ListAsync).WithSummary("A portfolio's orders, newest first, filtered by status, symbol and creation time, cursor-paged");
        api.MapGet("/{orderId:guid}", GetAsync).WithSummary("One order");

        // POST …/cancel rather than DELETE: the order is not removed, it stays in the history with its final status.
        api.MapPost("/{orderId:guid}/cancel", CancelAsync)
            .WithSummary("Ask the brokerage to cancel an open order; answers the order as the brokerage then reports it (canceled or pending_cancel). A final order is a 409.")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return api;
    }

    public static async Task<Results<Created<OrderResponse>, Ok<OrderResponse>, ValidationProblem, ProblemHttpResult>> PlaceAsync(
        Guid portfolioId, PlaceOrderRequest request, ClaimsPrincipal principal, OrderPlacementService placement, CancellationToken cancellationToken)
    {
        // The ownership check rides on the placement's portfolio row lock instead of a query of its own.
        OrderPlacement result;
        try
        {
            result = await placement.PlaceAsync(
                new PlaceOrder(portfolioId, request.Symbol!, request.Side!.Value, request.Type!.Value, request.TimeInForce ?? TimeInForce.Day,
                    request.Qty, request.Notional, request.LimitPrice, request.StopPrice, request.ClientOrderId, OwnerUserId: principal.GetUserId()),
                cancellationToken);
        }
        catch (PortfolioNotFoundException)
        {
            return Problems.NotFound("The portfolio");
        }

        var body = OrderResponse.From(result.Order);

        // A client_order_id seen before answers the existing order (Alpaca-style idempotency) instead of a second one.
        return result.AlreadyExisted
            ? TypedResults.Ok(body)
            : TypedResults.Created($"{ApiRouting.Prefix}/portfolios/{portfolioId}/orders/{body.Id}", body);
    }

    public static async Task<Results<Ok<OrderPage>, ValidationProblem, ProblemHttpResult>> ListAsync(
        Guid portfolioId, [AsParameters] ListOrdersQuery query, ClaimsPrincipal principal, TradingDbContext db, CancellationToken cancellationToken)
    {
        if (!await OwnsPortfolioAsync(db, principal, portfolioId, cancellationToken))
        {
            return Problems.NotFound("The portfolio");
        }

        var orders = db.Orders.AsNoTracking().Where(o => o.PortfolioId == portfolioId);
        if (query.ParsedStatus is { } status)
        {
            orders = orders.Where(o => o.Status == status);
        }

        if (query.Symbol is not null)
        {
            var symbol = Symbols.Normalize(query.Symbol);
            orders = orders.Where(o => o.Symbol == symbol);
        }

        if (query.From is { } from)
        {
            orders = orders.Where(o => o.CreatedAt >= from);
        }

        if (query.To is { } to)
        {
            orders = orders.Where(o => o.CreatedAt < to);
        }

        if (query.ParsedCursor is { } cursor)
        {
            orders = orders.Where(o => o.CreatedAt < cursor.CreatedAt || (o.CreatedAt == cursor.CreatedAt && o.Id.CompareTo(cursor.Id) < 0));
        }

        var limit = query.Limit ?? ListOrdersQuery.DefaultLimit;
        var page = await orders.OrderByDescending(o => o.CreatedAt).ThenByDescending(o => o.Id).Take(limit + 1).ToListAsync(cancellationToken);
        var next = page.Count > limit ? new PageCursor(page[limit - 1].CreatedAt, page[limit - 1].Id).ToString() : null;
        return TypedResults.Ok(new OrderPage([.. page.Take(limit).Select(OrderResponse.From)], next));
    }

    public static async Task<Results<Ok<OrderResponse>, ProblemHttpResult>> GetAsync(
        Guid portfolioId, Guid orderId, ClaimsPrincipal principal, TradingDbContext db, CancellationToken cancellationToken)
    {
        var userId = principal.GetUserId();
        var order = await db.Orders.AsNoTracking()
            .Where(o => o.Id == orderId && o.PortfolioId == portfolioId && db.Portfolios.Any(p => p.Id == portfolioId && p.OwnerUserId == userId))
            .FirstOrDefaultAsync(cancellationToken);
        return order is null ? Problems.NotFound("The order") : TypedResults.Ok(OrderResponse.From(order));
    }

    public static async Task<Results<Ok<OrderResponse>, ProblemHttpResult>> CancelAsync(
        Guid portfolioId, Guid orderId, ClaimsPrincipal principal, TradingDbContext db, IBrokerageGatewayFactory gateways, OrderUpdateService updates,
        CancellationToken cancellationToken)
    {
        var userId = principal.GetUserId();
        var found = await db.Orders.AsNoTracking()
            .Where(o => o.Id == orderId && o.PortfolioId == portfolioId)
            .Join(db.Portfolios.Where(p => p.OwnerUserId == userId), o => o.PortfolioId, p => p.Id, (o, p) => new { Order = o, p.TradingMode })
            .FirstOrDefaultAsync(cancellationToken);
        if (found is null)
        {
            return Problems.NotFound("The order");
        }

        var order = found.Order;
        if (order.Status.IsTerminal())
        {
            return Problems.Conflict($"The order is already {WireNames.Of(order.Status)} and cannot be canceled.");
        }

        var gateway = gateways.For(portfolioId, found.TradingMode);
        var brokerOrderId = order.BrokerOrderId ?? (await gateway.GetOrderByClientOrderIdAsync(order.ClientOrderId, cancellationToken))?.OrderId;
        if (brokerOrderId is not { } id)
        {
            // Saved but not (yet) at the broker: the order sync sends or settles it; cancelling now could race that send.
            return Problems.Conflict("The order has not reached the brokerage yet; retry the cancellation in a moment.");
        }

        var cancelable = true;
        try
        {
            await gateway.CancelOrderAsync(id, cancellationToken);
        }
        catch (OrderNotCancelableException)
        {
            cancelable = false; // it filled or ended at the broker before we got there
        }

        // Record the broker's view either way: canceled, pending_cancel, or the fill that won the race (booked once).
        var snapshot = await gateway.GetOrderAsync(id, cancellationToken);
        var updated = snapshot is null ? order : (await updates.ApplyAsync(portfolioId, snapshot, cancellationToken))?.Order ?? order;
        return cancelable
            ? TypedResults.Ok(OrderResponse.From(updated))
            : Problems.Conflict($"The order is already {WireNames.Of(updated.Status)} at the brokerage and cannot be canceled.");
    }

    internal static Task<bool> OwnsPortfolioAsync(TradingDbContext db, ClaimsPrincipal principal, Guid portfolioId, CancellationToken cancellationToken)
    {
        var userId = principal.GetUserId();
        return db.Portfolios.AnyAsync(p => p.Id == portfolioId && p.OwnerUserId == userId, cancellationToken);
    }
}
