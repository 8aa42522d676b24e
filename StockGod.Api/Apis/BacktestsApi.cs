using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using StockGod.Api.Backtests;
using StockGod.Api.Identity;
using StockGod.Api.Idempotency;
using StockGod.Api.Infrastructure;
using StockGod.Api.RateLimiting;
using StockGod.Trading.Domain.Backtests;
using StockGod.Trading.Persistence;

namespace StockGod.Api.Apis;

/// <summary>
/// Backtests run asynchronously: a submission is queued (202 with its Location) and any Api replica's runner picks it
/// up; clients poll the run for status and progress, then read the result or the chart. Cancel is
/// <c>POST /{id}/cancel</c> (an action on a run that stays readable, not a deletion). Another user's run is a 404.
/// </summary>
public static class BacktestsApi
{
    private const int CancelAttempts = 3;

    public static RouteGroupBuilder MapBacktestsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapApiGroup("backtests", "Backtests");
        api.MapPost("/", CreateAsync).WithIdempotency().RequireRateLimiting(RateLimitPolicies.Backtests)
            .WithSummary("Queue a backtest of a built-in strategy; answers 202 with the run's location");
        api.MapGet("/", ListAsync).WithSummary("The caller's backtests, newest first, cursor-paged");
        api.MapGet("/{backtestId:guid}", GetAsync).WithSummary("A backtest's status and progress");
        api.MapGet("/{backtestId:guid}/result", GetResultAsync).WithSummary("A completed backtest's statistics, benchmark, equity curve, daily returns and trades");
        api.MapGet("/{backtestId:guid}/chart", GetChartAsync).WithSummary("A completed backtest's equity curve against its benchmark, as a PNG")
            .Produces(StatusCodes.Status200OK, contentType: "image/png");
        api.MapPost("/{backtestId:guid}/cancel", CancelAsync).WithSummary("Cancel a queued or running backtest");
        return api;
    }

    public static async Task<Results<Accepted<BacktestRunResponse>, ValidationProblem>> CreateAsync(
        CreateBacktestRequest request, ClaimsPrincipal principal, TradingDbContext db, BacktestQueueSignal signal, TimeProvider time, CancellationToken cancellationToken)
    {
        var run = new BacktestRun(
            Guid.CreateVersion7(),
            principal.GetUserId(),
            request.Strategy!,
            JsonDocument.Parse(request.ParametersJson),
            request.Universe!,
            request.Start!.Value,
            request.End!.Value,
            request.InitialCash ?? 100_000m,
            request.SlippageBps ?? 0m,
            request.CommissionSchedule,
            request.RiskLimits,
            request.RiskFreeRate ?? 0m,
            time.GetUtcNow());
        db.BacktestRuns.Add(run);
        await db.SaveChangesAsync(cancellationToken);
        signal.Notify();
        var body = BacktestRunResponse.From(run);
        return TypedResults.Accepted(body.Links.Self, body);
    }

    public static async Task<Ok<BacktestRunPage>> ListAsync(
        [AsParameters] ListBacktestsQuery query, ClaimsPrincipal principal, TradingDbContext db, CancellationToken cancellationToken)
    {
        var userId = principal.GetUserId();
        var runs = db.BacktestRuns.AsNoTracking().Where(r => r.OwnerUserId == userId);
        if (query.Cursor is { } cursor)
        {
            // Ids are UUIDv7: their order is their creation order.
            runs = runs.Where(r => r.Id.CompareTo(cursor) < 0);
        }

        var limit = query.Limit ?? ListBacktestsQuery.DefaultLimit;
        var page = await runs.OrderByDescending(r => r.Id).Take(limit + 1).ToListAsync(cancellationToken);
        var next = page.Count > limit ? page[limit - 1].Id : (Guid?)null;
        return TypedResults.Ok(new BacktestRunPage([.. page.Take(limit).Select(BacktestRunResponse.From)], next));
    }

    public static async Task<Results<Ok<BacktestRunResponse>, ProblemHttpResult>> GetAsync(
        Guid backtestId, ClaimsPrincipal principal, TradingDbContext db, CancellationToken cancellationToken)
    {
        var run = await FindOwnedAsync(db, backtestId, principal, cancellationToken);
        return run is null ? Problems.NotFound("The backtest") : TypedResults.Ok(BacktestRunResponse.From(run));
    }

    public static async Task<Results<Ok<BacktestResultResponse>, ProblemHttpResult>> GetResultAsync(
        Guid backtestId, ClaimsPrincipal principal, TradingDbContext db, CancellationToken cancellationToken)
    {
        var (run, result, problem) = await FindResultAsync(db, backtestId, principal, cancellationToken);
        return problem ?? (Results<Ok<BacktestResultResponse>, ProblemHttpResult>)TypedResults.Ok(BacktestResultResponse.From(result!));
    }

    public static async Task<Results<FileContentHttpResult, ProblemHttpResult>> GetChartAsync(
        Guid backtestId, ClaimsPrincipal principal, TradingDbContext db, CancellationToken cancellationToken)
    {
        var (run, result, problem) = await FindResultAsync(db, backtestId, principal, cancellationToken);
        return problem ?? (Results<FileContentHttpResult, ProblemHttpResult>)TypedResults.File(EquityCurveChart.RenderPng(run!, result!), "image/png");
    }

    /// <summary>A queued run is canceled at once (200); a running one is asked to stop (202) and its runner stops it within a heartbeat.</summary>
    public static async Task<Results<Ok<BacktestRunResponse>, Accepted<BacktestRunResponse>, ProblemHttpResult>> CancelAsync(
        Guid backtestId, ClaimsPrincipal principal, TradingDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var userId = principal.GetUserId();
        for (var attempt = 1; ; attempt++)
        {
            var run = await db.BacktestRuns.SingleOrDefaultAsync(r => r.Id == backtestId && r.OwnerUserId == userId, cancellationToken);
            if (run is null)
            {
                return Problems.NotFound("The backtest");
            }

            var outcome = run.RequestCancel(time.GetUtcNow());
            if (outcome == BacktestCancelOutcome.AlreadyFinished)
            {
                return Problems.Conflict($"The backtest already finished as {run.Status.ToString().ToLowerInvariant()}.");
            }

            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateConcurrencyException) when (attempt < CancelAttempts)
            {
                // The runner renewed its lease or finished meanwhile: judge the request again on the fresh row.
                db.ChangeTracker.Clear();
                continue;
            }

            var body = BacktestRunResponse.From(run);
            return outcome == BacktestCancelOutcome.Canceled ? TypedResults.Ok(body) : TypedResults.Accepted(body.Links.Self, body);
        }
    }

    private static Task<BacktestRun?> FindOwnedAsync(TradingDbContext db, Guid backtestId, ClaimsPrincipal principal, CancellationToken cancellationToken)
    {
        var userId = principal.GetUserId();
        return db.BacktestRuns.AsNoTracking().SingleOrDefaultAsync(r => r.Id == backtestId && r.OwnerUserId == userId, cancellationToken);
    }

    private static async Task<(BacktestRun? Run, BacktestRunResult? Result, ProblemHttpResult? Problem)> FindResultAsync(
        TradingDbContext db, Guid backtestId, ClaimsPrincipal principal, CancellationToken cancellationToken)
    {
        var run = await FindOwnedAsync(db, backtestId, principal, cancellationToken);
        if (run is null)
        {
            return (null, null, Problems.NotFound("The backtest"));
        }

        if (run.Status != BacktestRunStatus.Completed)
        {
            return (run, null, Problems.Conflict($"The backtest is {run.Status.ToString().ToLowerInvariant()}; its result exists once it has completed."));
        }

        var result = await db.BacktestRunResults.AsNoTracking().SingleAsync(r => r.RunId == backtestId, cancellationToken);
        return (run, result, null);
    }
}
