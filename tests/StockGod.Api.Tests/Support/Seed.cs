extern alias api;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StockGod.Trading.Brokerage;
using StockGod.Trading.Domain.Notifications;
using StockGod.Trading.Domain.Orders;
using StockGod.Trading.Domain.Snapshots;
using StockGod.Trading.Domain.Watchlists;
using StockGod.Trading.Persistence;

namespace StockGod.Api.Tests.Support;

/// <summary>Puts domain state the Api only reads (fills, orders) straight into the database through the domain's own methods.</summary>
public static class Seed
{
    public static async Task BuyAsync(ApiFactory factory, Guid portfolioId, string symbol, decimal quantity, decimal price)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TradingDbContext>();
        var portfolio = await db.Portfolios.Include(p => p.Positions).FirstAsync(p => p.Id == portfolioId);
        portfolio.ApplyFill(Guid.CreateVersion7(), symbol, OrderSide.Buy, quantity, price, 0m, DateTimeOffset.UtcNow);
        await db.SaveChangesAsync();
    }

    public static async Task<Guid> OrderAsync(ApiFactory factory, Guid portfolioId, string symbol, DateTimeOffset createdAt, OrderType type = OrderType.Market, decimal? limitPrice = null)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TradingDbContext>();
        var order = Order.Create(Guid.CreateVersion7(), portfolioId, $"seed-{Guid.NewGuid():N}", symbol, OrderSide.Buy, type, TimeInForce.Day, 1m, null, limitPrice, null, createdAt);
        db.Orders.Add(order);
        await db.SaveChangesAsync();
        return order.Id;
    }

    /// <summary>Ends an order the way a broker refusal does: rejected is a final status.</summary>
    public static async Task RejectAsync(ApiFactory factory, Guid orderId, string reason)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TradingDbContext>();
        var order = await db.Orders.FirstAsync(o => o.Id == orderId);
        order.Reject(reason, DateTimeOffset.UtcNow);
        await db.SaveChangesAsync();
    }

    public static async Task<Guid> NotificationAsync(ApiFactory factory, Guid userId, string title, DateTimeOffset createdAt, bool read = false)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TradingDbContext>();
        var notification = new Notification(Guid.CreateVersion7(), userId, "order.filled", title, $"{title} body", null, createdAt);
        if (read)
        {
            notification.MarkRead(createdAt.AddMinutes(1));
        }

        db.Notifications.Add(notification);
        await db.SaveChangesAsync();
        return notification.Id;
    }

    /// <summary>An end-of-day snapshot: total value = cash + positions value.</summary>
    public static async Task SnapshotAsync(ApiFactory factory, Guid portfolioId, DateOnly date, decimal cash, decimal positionsValue)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TradingDbContext>();
        db.PortfolioSnapshots.Add(new PortfolioSnapshot(Guid.CreateVersion7(), portfolioId, date, cash, positionsValue, 0m, positionsValue > 0 ? 1 : 0, DateTimeOffset.UtcNow));
        await db.SaveChangesAsync();
    }

    public static async Task WatchAsync(ApiFactory factory, Guid userId, params string[] symbols)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TradingDbContext>();
        var watchlist = new Watchlist(Guid.CreateVersion7(), userId, $"watch-{Guid.NewGuid():N}", DateTimeOffset.UtcNow);
        foreach (var symbol in symbols)
        {
            watchlist.Add(symbol, DateTimeOffset.UtcNow);
        }

        db.Watchlists.Add(watchlist);
        await db.SaveChangesAsync();
    }
}
