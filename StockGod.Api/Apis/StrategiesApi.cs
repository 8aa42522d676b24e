using System.Security.Claims;
using System.Text.Json;
using Grpc.Core;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using StockGod.Api.Identity;
using StockGod.Api.Idempotency;
using StockGod.Api.Infrastructure;
using StockGod.Trading.Domain.Strategies;
using StockGod.Trading.Market;
using StockGod.Trading.Persistence;
using StockGod.Trading.Risk;
using StockGod.Trading.Strategies;

namespace StockGod.Api.Apis;

public static class StrategiesApi
{
    public const int MaxStrategiesPerPortfolio = 20;

    public static RouteGroupBuilder MapStrategiesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapApiGroup("portfolios/{portfolioId:guid}/strategies", "Strategies");
        api.MapPost("/", CreateAsync).WithIdempotency()
            .WithSummary("Create a strategy: a registered type, its parameters (validated by the strategy), a symbol universe and risk limits");
        api.MapGet("/", ListAsync).WithSummary("The portfolio's strategies");
        api.MapGet("/{strategyId:guid}", GetAsync).WithSummary("One strategy");
        api.MapPatch("/{strategyId:guid}", UpdateAsync).WithSummary("Change a strategy's parameters, universe, risk limits or enabled flag (only the fields sent)");
        api.MapPost("/{strategyId:guid}/enable", EnableAsync).WithSummary("Let the Scheduler run the strategy");
        api.MapPost("/{strategyId:guid}/disable", DisableAsync).WithSummary("Stop the Scheduler running the strategy");
        api.MapDelete("/{strategyId:guid}", DeleteAsync).WithSummary("Delete a strategy (its orders stay, unlinked)");
        api.MapPost("/{strategyId:guid}/evaluate", EvaluateAsync)
            .WithSummary("Dry run: the signals the strategy gives now and the orders it would place, without trading")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return api;
    }

    public static async Task<Results<Created<StrategyResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        Guid portfolioId, CreateStrategyRequest request, ClaimsPrincipal principal, [AsParameters] StrategyServices services, CancellationToken cancellationToken)
    {
        if (!await OrdersApi.OwnsPortfolioAsync(services.Db, principal, portfolioId, cancellationToken))
        {
            return Problems.NotFound("The portfolio");
        }

        if (StrategyRules.CheckAgainstRegistry(services.Registry, request.Type!, request.Parameters) is { } errors)
        {
            return Problems.Validation(errors);
        }

        if (await services.Db.Strategies.CountAsync(s => s.PortfolioId == portfolioId, cancellationToken) >= MaxStrategiesPerPortfolio)
        {
            return Problems.BusinessRule($"A portfolio may hold at most {MaxStrategiesPerPortfolio} strategies.");
        }

        var now = services.Time.GetUtcNow();
        var strategy = new StrategyDefinition(
            Guid.CreateVersion7(now), portfolioId, request.Name!, request.Type!, ParametersOf(request.Parameters), request.Symbols!,
            request.RiskLimits?.Over(RiskLimitsRequest.Defaults) ?? RiskLimitsRequest.Defaults, now);
        if (request.Enabled == true)
        {
            strategy.SetEnabled(true, now);
        }

        services.Db.Strategies.Add(strategy);
        try
        {
            await services.Db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return Problems.Conflict($"A strategy named '{strategy.Name}' already exists in this portfolio.");
        }

        return TypedResults.Created($"{ApiRouting.Prefix}/portfolios/{portfolioId}/strategies/{strategy.Id}", StrategyResponse.From(strategy));
    }

    public static async Task<Results<Ok<List<StrategyResponse>>, ProblemHttpResult>> ListAsync(
        Guid portfolioId, ClaimsPrincipal principal, TradingDbContext db, CancellationToken cancellationToken)
    {
        if (!await OrdersApi.OwnsPortfolioAsync(db, principal, portfolioId, cancellationToken))
        {
            return Problems.NotFound("The portfolio");
        }

        var strategies = await db.Strategies.AsNoTracking().Where(s => s.PortfolioId == portfolioId).OrderBy(s => s.CreatedAt).ToListAsync(cancellationToken);
        return TypedResults.Ok(strategies.Select(StrategyResponse.From).ToList());
    }

    public static async Task<Results<Ok<StrategyResponse>, ProblemHttpResult>> GetAsync(
        Guid portfolioId, Guid strategyId, ClaimsPrincipal principal, [AsParameters] StrategyServices services, CancellationToken cancellationToken)
    {
        var strategy = await services.FindOwnedAsync(portfolioId, strategyId, principal, tracking: false, cancellationToken);
        return strategy is null ? Problems.NotFound("The strategy") : TypedResults.Ok(StrategyResponse.From(strategy));
    }

    public static async Task<Results<Ok<StrategyResponse>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        Guid portfolioId, Guid strategyId, UpdateStrategyRequest request, ClaimsPrincipal principal, [AsParameters] StrategyServices services,
        CancellationToken cancellationToken)
    {
        var strategy = await services.FindOwnedAsync(portfolioId, strategyId, principal, tracking: true, cancellationToken);
        if (strategy is null)
        {
            return Problems.NotFound("The strategy");
        }

        var parameters = request.Parameters is { ValueKind: JsonValueKind.Object } ? request.Parameters : strategy.Parameters.RootElement;
        if (StrategyRules.CheckAgainstRegistry(services.Registry, strategy.StrategyType, parameters) is { } errors)
        {
            return Problems.Validation(errors);
        }

        var now = services.Time.GetUtcNow();
        strategy.Update(
            request.Parameters is { ValueKind: JsonValueKind.Object } ? ParametersOf(request.Parameters) : strategy.Parameters,
            request.Symbols ?? strategy.Symbols,
            request.RiskLimits?.Over(strategy.RiskLimits) ?? strategy.RiskLimits,
            now);
        if (request.Enabled is { } enabled)
        {
            strategy.SetEnabled(enabled, now);
        }

        await services.Db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(StrategyResponse.From(strategy));
    }

    public static Task<Results<Ok<StrategyResponse>, ProblemHttpResult>> EnableAsync(
        Guid portfolioId, Guid strategyId, ClaimsPrincipal principal, [AsParameters] StrategyServices services, CancellationToken cancellationToken) =>
        SetEnabledAsync(portfolioId, strategyId, true, principal, services, cancellationToken);

    public static Task<Results<Ok<StrategyResponse>, ProblemHttpResult>> DisableAsync(
        Guid portfolioId, Guid strategyId, ClaimsPrincipal principal, [AsParameters] StrategyServices services, CancellationToken cancellationToken) =>
        SetEnabledAsync(portfolioId, strategyId, false, principal, services, cancellationToken);

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        Guid portfolioId, Guid strategyId, ClaimsPrincipal principal, [AsParameters] StrategyServices services, CancellationToken cancellationToken)
    {
        var strategy = await services.FindOwnedAsync(portfolioId, strategyId, principal, tracking: true, cancellationToken);
        if (strategy is null)
        {
            return Problems.NotFound("The strategy");
        }

        services.Db.Strategies.Remove(strategy);
        await services.Db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    public static async Task<Results<Ok<StrategyEvaluationResponse>, ProblemHttpResult>> EvaluateAsync(
        Guid portfolioId, Guid strategyId, ClaimsPrincipal principal, [AsParameters] StrategyServices services, StrategyBatchEvaluator evaluator,
        IMarketDataSource marketData, CancellationToken cancellationToken)
    {
        var strategy = await services.FindOwnedAsync(portfolioId, strategyId, principal, tracking: false, cancellationToken);
        var portfolio = strategy is null ? null : await new PortfolioServices(services.Db, services.Time).FindOwnedAsync(portfolioId, principal, tracking: false, cancellationToken);
        if (strategy is null || portfolio is null)
        {
            return Problems.NotFound("The strategy");
        }

        var symbolsWithOpenOrders = (await services.Db.Orders
            .Where(o => o.PortfolioId == portfolioId && OrderStatusExtensions.OpenStatuses.Contains(o.Status))
            .Select(o => o.Symbol).Distinct().ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
        // The Scheduler's path as a batch of one: the same market fetch, the same evaluator; then the risk layer's
        // sizing against this portfolio, which is where acting on the decisions would start.
        var asOf = services.Time.GetUtcNow();
        StrategyMarket market;
        try
        {
            market = await StrategyMarket.FetchAsync(marketData, strategy.Symbols, asOf, StrategyMarket.DefaultHistoryDays, cancellationToken);
        }
        catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
        {
            return Problems.ServiceUnavailable("Market data could not be reached; retry later.");
        }

        var evaluation = evaluator.Evaluate([strategy], market.Bars, _ => StrategyBatchEvaluator.HoldingsOf(portfolio), asOf).Strategies[0];
        if (evaluation.Error is { } error)
        {
            return Problems.BusinessRule($"Strategy '{strategy.Name}' could not be evaluated: {error}");
        }

        var positions = portfolio.Positions.ToDictionary(
            p => p.Symbol,
            p => new PositionState(p.Quantity, market.Prices.GetValueOrDefault(p.Symbol, p.LastPrice ?? p.AverageEntryPrice)),
            StringComparer.Ordinal);
        var state = new PortfolioState(portfolio.Equity, portfolio.Cash, positions, symbolsWithOpenOrders);
        var decisions = PositionSizer.Size(evaluation.Signals, state, strategy.RiskLimits, market.Prices);
        return TypedResults.Ok(StrategyEvaluationResponse.From(strategy.Id, asOf, evaluation.Signals, market.Prices, decisions));
    }

    private static async Task<Results<Ok<StrategyResponse>, ProblemHttpResult>> SetEnabledAsync(
        Guid portfolioId, Guid strategyId, bool enabled, ClaimsPrincipal principal, StrategyServices services, CancellationToken cancellationToken)
    {
        var strategy = await services.FindOwnedAsync(portfolioId, strategyId, principal, tracking: true, cancellationToken);
        if (strategy is null)
        {
            return Problems.NotFound("The strategy");
        }

        strategy.SetEnabled(enabled, services.Time.GetUtcNow());
        await services.Db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(StrategyResponse.From(strategy));
    }

    private static JsonDocument ParametersOf(JsonElement? parameters) =>
        parameters is { ValueKind: JsonValueKind.Object } json ? JsonDocument.Parse(json.GetRawText()) : JsonDocument.Parse("{}");
}

public sealed class StrategyServices(TradingDbContext db, StrategyRegistry registry, TimeProvider time)
{
    public TradingDbContext Db { get; } = db;

    public StrategyRegistry Registry { get; } = registry;

    public TimeProvider Time { get; } = time;

    /// <summary>The strategy when it belongs to the portfolio and the caller owns that; null otherwise (a 404).</summary>
    public Task<StrategyDefinition?> FindOwnedAsync(Guid portfolioId, Guid strategyId, ClaimsPrincipal principal, bool tracking, CancellationToken cancellationToken)
    {
        var userId = principal.GetUserId();
        var query = Db.Strategies.Where(s => s.Id == strategyId && s.PortfolioId == portfolioId && Db.Portfolios.Any(p => p.Id == portfolioId && p.OwnerUserId == userId));
        return (tracking ? query : query.AsNoTracking()).FirstOrDefaultAsync(cancellationToken);
    }
}
