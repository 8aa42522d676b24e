using System.Collections.Frozen;
using Microsoft.EntityFrameworkCore;
using StockGod.Trading.Persistence;

namespace StockGod.Api.Realtime;

/// <summary>Which of the given users hold (in any portfolio) or watch (in any watchlist) each symbol.</summary>
public sealed class PriceInterest(IServiceScopeFactory scopes)
{
    /// <summary>Symbol → the users interested in it; symbols no one holds or watches are absent.</summary>
    public async Task<FrozenDictionary<string, Guid[]>> LoadAsync(IReadOnlyCollection<Guid> userIds, CancellationToken cancellationToken)
    {
        if (userIds.Count == 0)
        {
            return FrozenDictionary<string, Guid[]>.Empty;
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TradingDbContext>();
        var held = await db.Positions.AsNoTracking()
            .Join(db.Portfolios, position => position.PortfolioId, portfolio => portfolio.Id, (position, portfolio) => new { portfolio.OwnerUserId, position.Symbol })
            .Where(row => userIds.Contains(row.OwnerUserId))
            .Select(row => new UserSymbol(row.OwnerUserId, row.Symbol))
            .Distinct()
            .ToListAsync(cancellationToken);
        var watched = await db.Watchlists.AsNoTracking()
            .Where(watchlist => userIds.Contains(watchlist.UserId))
            .SelectMany(watchlist => watchlist.Items, (watchlist, item) => new UserSymbol(watchlist.UserId, item.Symbol))
            .Distinct()
            .ToListAsync(cancellationToken);

        return held.Concat(watched)
            .GroupBy(row => row.Symbol, StringComparer.Ordinal)
            .ToFrozenDictionary(group => group.Key, group => group.Select(row => row.UserId).Distinct().ToArray(), StringComparer.Ordinal);
    }

    private sealed record UserSymbol(Guid UserId, string Symbol);
}
