using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using StockGod.Api.Exports;
using StockGod.Api.Identity;
using StockGod.Api.Infrastructure;
using StockGod.Trading.Persistence;

namespace StockGod.Api.Apis;

/// <summary>Downloads: a portfolio's trades and positions (CSV or JSON), and all of the user's data (JSON).</summary>
public static class ExportsApi
{
    public static IEndpointRouteBuilder MapExportsApi(this IEndpointRouteBuilder app)
    {
        var portfolio = app.MapApiGroup("portfolios/{portfolioId:guid}/exports", "Exports");
        portfolio.MapGet("/trades", ExportTradesAsync)
            .Produces(StatusCodes.Status200OK, contentType: "text/csv", additionalContentTypes: ["application/json"])
            .WithSummary("The portfolio's fills, oldest first, as CSV (default) or JSON");
        portfolio.MapGet("/positions", ExportPositionsAsync)
            .Produces(StatusCodes.Status200OK, contentType: "text/csv", additionalContentTypes: ["application/json"])
            .WithSummary("The portfolio's open positions by symbol, as CSV (default) or JSON");

        app.MapApiGroup("accounts/me", "Exports")
            .MapGet("/export", (ClaimsPrincipal principal, TradingDbContext db) => new UserDataExport(principal.GetUserId(), db))
            .Produces(StatusCodes.Status200OK, contentType: "application/json")
            .WithSummary("Everything held about the signed-in user as one JSON document, without secrets");
        return app;
    }

    public static async Task<Results<ExportResult<TradeRow>, ValidationProblem, ProblemHttpResult>> ExportTradesAsync(
        Guid portfolioId, [AsParameters] ExportQuery query, ClaimsPrincipal principal, TradingDbContext db, CancellationToken cancellationToken)
    {
        if (!await OrdersApi.OwnsPortfolioAsync(db, principal, portfolioId, cancellationToken))
        {
            return Problems.NotFound("The portfolio");
        }

        return new ExportResult<TradeRow>($"trades-{portfolioId}", query.Parsed, Trades(db, portfolioId), TradeRow.Columns);
    }

    public static async Task<Results<ExportResult<PositionResponse>, ValidationProblem, ProblemHttpResult>> ExportPositionsAsync(
        Guid portfolioId, [AsParameters] ExportQuery query, ClaimsPrincipal principal, TradingDbContext db, CancellationToken cancellationToken)
    {
        if (!await OrdersApi.OwnsPortfolioAsync(db, principal, portfolioId, cancellationToken))
        {
            return Problems.NotFound("The portfolio");
        }

        var positions = db.Positions.AsNoTracking().Where(p => p.PortfolioId == portfolioId).OrderBy(p => p.Symbol)
            .AsAsyncEnumerable().Select(PositionResponse.From);
        return new ExportResult<PositionResponse>($"positions-{portfolioId}", query.Parsed, positions, PositionColumns.All);
    }

    /// <summary>A portfolio's fills, oldest first, each with the client_order_id of its order.</summary>
    internal static IAsyncEnumerable<TradeRow> Trades(TradingDbContext db, Guid portfolioId) =>
        db.Fills.AsNoTracking()
            .Where(f => f.PortfolioId == portfolioId)
            .OrderBy(f => f.ExecutedAt).ThenBy(f => f.Id)
            .Select(f => new TradeRow(
                f.Id, f.OrderId, db.Orders.Where(o => o.Id == f.OrderId).Select(o => o.ClientOrderId).FirstOrDefault(), f.ExecutionId, f.Symbol, f.Side,
                f.Quantity, f.Price, f.Commission, f.RealizedProfitLoss, f.ExecutedAt))
            .AsAsyncEnumerable();
}
