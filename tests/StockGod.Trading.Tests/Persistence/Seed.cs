using StockGod.Trading.Brokerage;
using StockGod.Trading.Domain.Portfolios;
using StockGod.Trading.Domain.Users;
using StockGod.Trading.Persistence;

namespace StockGod.Trading.Tests.Persistence;

/// <summary>Creates the rows most tests start from: a user and one portfolio.</summary>
internal static class Seed
{
    public static readonly DateTimeOffset At = new(2024, 3, 4, 15, 0, 0, TimeSpan.Zero);

    public static async Task<Portfolio> PortfolioAsync(TradingDbContext db, decimal cash = 100_000m, bool allowShorting = false, TradingMode mode = TradingMode.Simulated)
    {
        var user = new User(Guid.CreateVersion7(), $"{Guid.NewGuid():N}@example.com", "Test User", At);
        var portfolio = new Portfolio(Guid.CreateVersion7(), user.Id, "Main", mode, cash, At);
        if (allowShorting)
        {
            portfolio.SetShorting(true, At);
        }

        db.Users.Add(user);
        db.Portfolios.Add(portfolio);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        return portfolio;
    }
}
