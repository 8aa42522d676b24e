using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using StockGod.Api.Infrastructure;
using StockGod.Trading.Backtesting;
using StockGod.Trading.Persistence;

namespace StockGod.Api.Apis;

public static class PerformanceApi
{
    /// <summary>Scale of returned fractions: far finer than any money movement, short enough to read.</summary>
    public const int ReturnDecimals = 10;

    public static RouteGroupBuilder MapPerformanceApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapApiGroup("portfolios/{portfolioId:guid}/performance", "Performance");
        api.MapGet("/", GetAsync).WithSummary("End-of-day snapshots as a time series with daily returns, total return and maximum drawdown (from/to: trading dates, inclusive)");
        return api;
    }

    public static async Task<Results<Ok<PerformanceResponse>, ValidationProblem, ProblemHttpResult>> GetAsync(
        Guid portfolioId, [AsParameters] PerformanceQuery query, ClaimsPrincipal principal, TradingDbContext db, CancellationToken cancellationToken)
    {
        if (!await OrdersApi.OwnsPortfolioAsync(db, principal, portfolioId, cancellationToken))
        {
            return Problems.NotFound("The portfolio");
        }

        var snapshots = db.PortfolioSnapshots.AsNoTracking().Where(s => s.PortfolioId == portfolioId);
        if (query.From is { } from)
        {
            snapshots = snapshots.Where(s => s.TradingDate >= from);
        }

        if (query.To is { } to)
        {
            snapshots = snapshots.Where(s => s.TradingDate <= to);
        }

        var series = await snapshots.OrderBy(s => s.TradingDate).ToListAsync(cancellationToken);
        if (series.Count == 0)
        {
            return TypedResults.Ok(new PerformanceResponse(portfolioId, query.From, query.To, null, null, null, null, []));
        }

        // The backtester's definitions, applied to the snapshot curve with its first value as the base.
        var curve = series.Select(s => new EquityPoint(s.TradingDate, s.TotalValue, s.Cash, s.PositionsValue)).ToArray();
        var first = curve[0].Equity;
        var returns = PerformanceStatistics.DailyReturns(first, curve);
        var drawdown = PerformanceStatistics.DeepestDrawdown(first, curve);
        var points = series.Select((s, i) => new PerformancePoint(
            s.TradingDate, s.TotalValue, s.Cash, s.PositionsValue, s.RealizedProfitLoss, s.PositionCount, i == 0 ? null : Round(returns[i]))).ToList();
        return TypedResults.Ok(new PerformanceResponse(
            portfolioId,
            query.From ?? curve[0].Date,
            query.To ?? curve[^1].Date,
            first,
            curve[^1].Equity,
            first == 0m ? null : Round((curve[^1].Equity / first) - 1m),
            new DrawdownResponse(Round(drawdown.Depth), drawdown.Peak, drawdown.Trough, drawdown.Recovery),
            points));
    }

    private static decimal Round(decimal fraction) => Math.Round(fraction, ReturnDecimals, MidpointRounding.ToEven);
}
