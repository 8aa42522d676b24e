using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using StockGod.Api.Identity;
using StockGod.Api.Infrastructure;
using StockGod.Api.Idempotency;
using StockGod.Api.Portfolios;
using StockGod.Api.RateLimiting;
using StockGod.Trading.Calendar;
using StockGod.Trading.Domain.Orders;
using StockGod.Trading.Domain.Portfolios;
using StockGod.Trading.Persistence;

namespace StockGod.Api.Apis;

public static class PortfoliosApi
{
    public const int MaxPortfoliosPerUser = 50;

    public static RouteGroupBuilder MapPortfoliosApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapApiGroup("portfolios", "Portfolios").RequireRateLimiting(RateLimitPolicies.Portfolios);
        api.MapPost("/", CreateAsync).WithIdempotency().WithSummary("Create a portfolio");
        api.MapGet("/", ListAsync).WithSummary("List the caller's portfolios");
        api.MapGet("/{portfolioId:guid}", GetAsync).WithSummary("A portfolio with positions, cash, equity, day and total P&L");
        api.MapPut("/{portfolioId:guid}/name", RenameAsync).WithSummary("Rename a portfolio");
        api.MapPut("/{portfolioId:guid}/live-trading", SetLiveTradingAsync).WithSummary("Switch live trading of a live portfolio on or off");
        api.MapPut("/{portfolioId:guid}/trading-mode", ChangeTradingModeAsync)
            .WithSummary("Move a portfolio to another trading mode (simulated, paper, live): only when it holds no positions and has no open orders; live needs confirm_live and configured keys, and starts with live trading switched off");
        api.MapDelete("/{portfolioId:guid}", DeleteAsync).WithSummary("Delete a portfolio that holds no positions and no open orders");
        api.MapGet("/{portfolioId:guid}/positions", ListPositionsAsync).WithSummary("The portfolio's positions");
        api.MapGet("/{portfolioId:guid}/positions/{symbol}", GetPositionAsync).WithSummary("One position by symbol");
        return api;
    }

    public static async Task<Results<Created<PortfolioResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        CreatePortfolioRequest request, ClaimsPrincipal principal, [AsParameters] PortfolioServices services, TradingModeAvailability availability, CancellationToken cancellationToken)
    {
        var userId = principal.GetUserId();
        var mode = request.TradingMode ?? TradingMode.Simulated;
        if (!availability.IsAvailable(mode))
        {
            return Problems.BusinessRule($"Trading mode '{mode.ToString().ToLowerInvariant()}' is not available: its brokerage keys are not configured.");
        }

        if (await services.Db.Portfolios.CountAsync(p => p.OwnerUserId == userId, cancellationToken) >= MaxPortfoliosPerUser)
        {
            return Problems.BusinessRule($"A user may hold at most {MaxPortfoliosPerUser} portfolios.");
        }

        var now = services.Time.GetUtcNow();
        var portfolio = new Portfolio(Guid.CreateVersion7(), userId, request.Name!, mode, request.StartingCash ?? 100_000m, now);
        if (request.AllowShorting == true)
        {
            portfolio.SetShorting(true, now);
        }

        services.Db.Portfolios.Add(portfolio);
        try
        {
            await services.Db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return Problems.Conflict($"A portfolio named '{portfolio.Name}' already exists.");
        }

        return TypedResults.Created($"{ApiRouting.Prefix}/portfolios/{portfolio.Id}", PortfolioResponse.From(portfolio, null));
    }

    public static async Task<Ok<List<PortfolioSummaryResponse>>> ListAsync(ClaimsPrincipal principal, TradingDbContext db, CancellationToken cancellationToken)
    {
        var userId = principal.GetUserId();
        var portfolios = await db.Portfolios.AsNoTracking().Include(p => p.Positions)
            .Where(p => p.OwnerUserId == userId)
            .OrderBy(p => p.CreatedAt)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(portfolios.Select(p => new PortfolioSummaryResponse(p.Id, p.Name, p.TradingMode, p.LiveTradingEnabled, p.Cash, p.Equity, p.CreatedAt)).ToList());
    }

    /// <summary>
    /// From the read cache when it holds the caller's answer for today (see <see cref="PortfolioReadCache"/>); otherwise
    /// read, and kept unless an invalidation arrived during the read. The database (and its context) is touched only on a miss.
    /// </summary>
    public static async Task<Results<Ok<PortfolioResponse>, ProblemHttpResult>> GetAsync(
        Guid portfolioId, ClaimsPrincipal principal, PortfolioReadCache cache, TimeProvider time, HttpContext context, CancellationToken cancellationToken)
    {
        var userId = principal.GetUserId();
        var today = NewYorkTime.DateOf(time.GetUtcNow());
        if (cache.TryGet(portfolioId, userId, today, out var cached))
        {
            return TypedResults.Ok(cached);
        }

        var ticket = cache.BeginRead(userId);
        var services = new PortfolioServices(context.RequestServices.GetRequiredService<TradingDbContext>(), time);
        var portfolio = await services.ReadOwnedAsync(portfolioId, userId, today, cancellationToken);
        if (portfolio is null)
        {
            return Problems.NotFound("The portfolio");
        }

        var response = PortfolioResponse.From(portfolio);
        cache.TryStore(portfolioId, userId, today, response, ticket);
        return TypedResults.Ok(response);
    }

    public static async Task<Results<Ok<PortfolioResponse>, ValidationProblem, ProblemHttpResult>> RenameAsync(
        Guid portfolioId, RenamePortfolioRequest request, ClaimsPrincipal principal, [AsParameters] PortfolioServices services, CancellationToken cancellationToken)
    {
        var portfolio = await services.FindOwnedAsync(portfolioId, principal, tracking: true, cancellationToken);
        if (portfolio is null)
        {
            return Problems.NotFound("The portfolio");
        }

        portfolio.Rename(request.Name!, services.Time.GetUtcNow());
        try
        {
            await services.Db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return Problems.Conflict($"A portfolio named '{portfolio.Name}' already exists.");
        }

        return TypedResults.Ok(PortfolioResponse.From(portfolio, await services.PreviousCloseEquityAsync(portfolioId, cancellationToken)));
    }

    public static async Task<Results<Ok<PortfolioResponse>, ValidationProblem, ProblemHttpResult>> SetLiveTradingAsync(
        Guid portfolioId, SetLiveTradingRequest request, ClaimsPrincipal principal, [AsParameters] PortfolioServices services,
        TradingModeAvailability availability, CancellationToken cancellationToken)
    {
        var portfolio = await services.FindOwnedAsync(portfolioId, principal, tracking: true, cancellationToken);
        if (portfolio is null)
        {
            return Problems.NotFound("The portfolio");
        }

        if (request.Enabled == true && !availability.IsAvailable(TradingMode.Live))
        {
            return Problems.BusinessRule("Live trading is not available: the live brokerage keys are not configured.");
        }

        // The domain refuses live trading on a portfolio whose mode is not live (a DomainException → 422).
        portfolio.SetLiveTrading(request.Enabled!.Value, services.Time.GetUtcNow());
        await services.Db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(PortfolioResponse.From(portfolio, await services.PreviousCloseEquityAsync(portfolioId, cancellationToken)));
    }

    public static async Task<Results<Ok<PortfolioResponse>, ValidationProblem, ProblemHttpResult>> ChangeTradingModeAsync(
        Guid portfolioId, ChangeTradingModeRequest request, ClaimsPrincipal principal, [AsParameters] PortfolioServices services,
        TradingModeAvailability availability, CancellationToken cancellationToken)
    {
        if (await services.FindOwnedAsync(portfolioId, principal, tracking: false, cancellationToken) is null)
        {
            return Problems.NotFound("The portfolio");
        }

        var mode = request.TradingMode!.Value;
        if (!availability.IsAvailable(mode))
        {
            return Problems.BusinessRule($"Trading mode '{WireNames.Of(mode)}' is not available: its brokerage keys are not configured.");
        }

        // Under the portfolio's row lock, as order placement and fills: no order can slip in between the check and the move.
        await using var transaction = await services.Db.Database.BeginTransactionAsync(cancellationToken);
        var portfolio = await services.Db.LockPortfolioAsync(portfolioId, cancellationToken) ?? throw new PortfolioNotFoundException(portfolioId);
        var statuses = await services.Db.Orders.Where(o => o.PortfolioId == portfolioId).Select(o => o.Status).Distinct().ToListAsync(cancellationToken);
        portfolio.ChangeTradingMode(mode, statuses.Any(s => s.IsOpen()), services.Time.GetUtcNow());
        await services.Db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(PortfolioResponse.From(portfolio, await services.PreviousCloseEquityAsync(portfolioId, cancellationToken)));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        Guid portfolioId, ClaimsPrincipal principal, [AsParameters] PortfolioServices services, CancellationToken cancellationToken)
    {
        var portfolio = await services.FindOwnedAsync(portfolioId, principal, tracking: true, cancellationToken);
        if (portfolio is null)
        {
            return Problems.NotFound("The portfolio");
        }

        if (portfolio.Positions.Count > 0)
        {
            return Problems.BusinessRule("The portfolio still holds positions; close them before deleting it.");
        }

        var openOrders = await services.Db.Orders.Where(o => o.PortfolioId == portfolioId).Select(o => o.Status).ToListAsync(cancellationToken);
        if (openOrders.Any(s => s.IsOpen()))
        {
            return Problems.BusinessRule("The portfolio has open orders; cancel them before deleting it.");
        }

        services.Db.Portfolios.Remove(portfolio);
        await services.Db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    public static async Task<Results<Ok<List<PositionResponse>>, ProblemHttpResult>> ListPositionsAsync(
        Guid portfolioId, ClaimsPrincipal principal, [AsParameters] PortfolioServices services, CancellationToken cancellationToken)
    {
        var portfolio = await services.FindOwnedAsync(portfolioId, principal, tracking: false, cancellationToken);
        return portfolio is null
            ? Problems.NotFound("The portfolio")
            : TypedResults.Ok(portfolio.Positions.OrderBy(p => p.Symbol, StringComparer.Ordinal).Select(PositionResponse.From).ToList());
    }

    public static async Task<Results<Ok<PositionResponse>, ProblemHttpResult>> GetPositionAsync(
        Guid portfolioId, string symbol, ClaimsPrincipal principal, [AsParameters] PortfolioServices services, CancellationToken cancellationToken)
    {
        var portfolio = await services.FindOwnedAsync(portfolioId, principal, tracking: false, cancellationToken);
        var position = portfolio?.PositionFor(symbol.Trim().ToUpperInvariant());
        return position is null ? Problems.NotFound($"A position in '{symbol}'") : TypedResults.Ok(PositionResponse.From(position));
    }
}

public sealed class PortfolioServices(TradingDbContext db, TimeProvider time)
{
    public TradingDbContext Db { get; } = db;

    public TimeProvider Time { get; } = time;

    /// <summary>The portfolio with its positions when the caller owns it; null otherwise (another user's id is a 404).</summary>
    public Task<Portfolio?> FindOwnedAsync(Guid portfolioId, ClaimsPrincipal principal, bool tracking, CancellationToken cancellationToken)
    {
        var userId = principal.GetUserId();
        var query = Db.Portfolios.Include(p => p.Positions).Where(p => p.Id == portfolioId && p.OwnerUserId == userId);
        return (tracking ? query : query.AsNoTracking()).FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>Total value of the last snapshot before today's New York trading date: the base of the day's P&amp;L.</summary>
    public async Task<decimal?> PreviousCloseEquityAsync(Guid portfolioId, CancellationToken cancellationToken)
    {
        var today = NewYorkTime.DateOf(Time.GetUtcNow());
        return await Db.PortfolioSnapshots.AsNoTracking()
            .Where(s => s.PortfolioId == portfolioId && s.TradingDate < today)
            .OrderByDescending(s => s.TradingDate)
            .Select(s => (decimal?)s.TotalValue)
            .FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>
    /// The portfolio GET's read, the Api's hottest: the caller's portfolio, its positions and the previous close in ONE
    /// round trip (the snapshot is a scalar subquery), projected to the columns the answer shows (no entities, no
    /// change tracking) and compiled once (no expression tree to translate or look up per request). Prices are the
    /// stored ones (positions' last_price, refreshed by the price_update job every 5 minutes and by every fill), not
    /// a MarketData call per GET: the answer says when each position was last priced (updated_at), and a quote round
    /// trip per read would cost more than the whole read.
    /// </summary>
    public Task<PortfolioRow?> ReadOwnedAsync(Guid portfolioId, Guid ownerUserId, DateOnly today, CancellationToken cancellationToken) =>
        ReadOwned(Db, portfolioId, ownerUserId, today, cancellationToken);

    private static readonly Func<TradingDbContext, Guid, Guid, DateOnly, CancellationToken, Task<PortfolioRow?>> ReadOwned =
        EF.CompileAsyncQuery((TradingDbContext db, Guid portfolioId, Guid ownerUserId, DateOnly today, CancellationToken cancellationToken) =>
            db.Portfolios.AsNoTracking()
                .Where(p => p.Id == portfolioId && p.OwnerUserId == ownerUserId)
                .Select(p => new PortfolioRow(
                    p.Id,
                    p.Name,
                    p.TradingMode,
                    p.LiveTradingEnabled,
                    p.AllowShorting,
                    p.StartingCash,
                    p.Cash,
                    p.RealizedProfitLoss,
                    p.TotalCommissions,
                    p.CreatedAt,
                    p.UpdatedAt,
                    p.Positions.Select(x => new PositionResponse(
                        x.Id, x.Symbol, x.Quantity, x.AverageEntryPrice, x.CostBasis, x.LastPrice, x.MarketValue, x.UnrealizedProfitLoss,
                        x.RealizedProfitLoss, x.OpenedAt, x.UpdatedAt)).ToList(),
                    db.PortfolioSnapshots
                        .Where(s => s.PortfolioId == p.Id && s.TradingDate < today)
                        .OrderByDescending(s => s.TradingDate)
                        .Select(s => (decimal?)s.TotalValue)
                        .FirstOrDefault()))
                .FirstOrDefault());
}
