using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StockGod.Trading.Backtesting;
using StockGod.Trading.Domain.Backtests;
using StockGod.Trading.Persistence;

namespace StockGod.Api.Backtests;

/// <summary>What a heartbeat learned about a run.</summary>
public enum HeartbeatOutcome
{
    Continue,
    CancelRequested,

    /// <summary>The lease is gone (expired and reclaimed, or the run was finished elsewhere): stop without writing.</summary>
    LeaseLost,
}

/// <summary>
/// The database side of running backtests on any replica: claims with <c>FOR UPDATE SKIP LOCKED</c> (concurrent
/// runners never wait on, nor take, the same row), lease renewal, and finishing a run only while holding its lease.
/// Each call uses its own short-lived context, as the runner is a singleton.
/// </summary>
public sealed class BacktestLeases(IServiceScopeFactory scopes, IOptions<BacktestRunnerOptions> options, TimeProvider time, ILogger<BacktestLeases> logger)
{
    private const int FinishAttempts = 3;

    /// <summary>Claims the oldest claimable run for <paramref name="owner"/>; null when there is none.</summary>
    public async Task<BacktestRun?> TryClaimAsync(string owner, CancellationToken cancellationToken)
    {
        while (true)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TradingDbContext>();
            var now = time.GetUtcNow();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

            // Lock the row to claim (skipping rows other runners hold), then load it as an entity in the same transaction.
            var candidates = await db.Database.SqlQuery<Guid>($"""
                SELECT id AS "Value" FROM backtest_runs
                WHERE status = 'queued' OR (status = 'running' AND lease_expires_at <= {now})
                ORDER BY created_at
                LIMIT 1
                FOR UPDATE SKIP LOCKED
                """).ToListAsync(cancellationToken);
            if (candidates is not [var runId])
            {
                return null;
            }

            var run = await db.BacktestRuns.SingleAsync(r => r.Id == runId, cancellationToken);
            if (run.Status == BacktestRunStatus.Running && (run.CancelRequested || run.Attempts >= options.Value.MaxAttempts))
            {
                // Its runner died: a run its owner canceled meanwhile, or one that keeps killing runners, is not run again.
                logger.LogWarning("Backtest {RunId} lost its runner (attempt {Attempts}, cancel requested: {CancelRequested}); finishing it", run.Id, run.Attempts, run.CancelRequested);
                run.Abandon($"The backtest was interrupted {run.Attempts} times (its runner stopped responding); it was not retried again.", now);
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                continue;
            }

            if (run.Status == BacktestRunStatus.Running)
            {
                logger.LogInformation("Reclaiming backtest {RunId}: the lease of {PreviousOwner} expired at {ExpiredAt}", run.Id, run.LeaseOwner, run.LeaseExpiresAt);
            }

            run.Claim(owner, now, options.Value.LeaseDuration);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return run;
        }
    }

    /// <summary>Renews the lease and saves the progress; says whether the run should go on.</summary>
    public async Task<HeartbeatOutcome> HeartbeatAsync(Guid runId, string owner, BacktestProgress progress, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TradingDbContext>();
        var now = time.GetUtcNow();
        DateTimeOffset? expires = now + options.Value.LeaseDuration;
        var renewed = await db.BacktestRuns
            .Where(r => r.Id == runId && r.Status == BacktestRunStatus.Running && r.LeaseOwner == owner)
            .ExecuteUpdateAsync(
                set => set.SetProperty(r => r.LeaseExpiresAt, expires)
                    .SetProperty(r => r.DaysDone, progress.DaysDone)
                    .SetProperty(r => r.TotalDays, progress.TotalDays)
                    .SetProperty(r => r.UpdatedAt, now),
                cancellationToken);
        if (renewed == 0)
        {
            return HeartbeatOutcome.LeaseLost;
        }

        var cancelRequested = await db.BacktestRuns.Where(r => r.Id == runId).Select(r => r.CancelRequested).SingleAsync(cancellationToken);
        return cancelRequested ? HeartbeatOutcome.CancelRequested : HeartbeatOutcome.Continue;
    }

    public Task<bool> CompleteAsync(Guid runId, string owner, BacktestResult result, CancellationToken cancellationToken) =>
        FinishAsync(runId, owner, (db, run, now) =>
        {
            db.BacktestRunResults.Add(new BacktestRunResult(run.Id, result, now));
            run.Complete(owner, now);
        }, cancellationToken);

    public Task<bool> FailAsync(Guid runId, string owner, string error, CancellationToken cancellationToken) =>
        FinishAsync(runId, owner, (_, run, now) => run.Fail(owner, error, now), cancellationToken);

    public Task<bool> ConfirmCanceledAsync(Guid runId, string owner, CancellationToken cancellationToken) =>
        FinishAsync(runId, owner, (_, run, now) => run.ConfirmCanceled(owner, now), cancellationToken);

    public Task<bool> ReleaseAsync(Guid runId, string owner, CancellationToken cancellationToken) =>
        FinishAsync(runId, owner, (_, run, now) => run.Release(owner, now), cancellationToken);

    /// <summary>
    /// Applies <paramref name="finish"/> if <paramref name="owner"/> still holds the run. The row version makes a
    /// concurrent change (a cancel request, a reclaim) fail the save; the change is then re-read and re-judged.
    /// </summary>
    private async Task<bool> FinishAsync(Guid runId, string owner, Action<TradingDbContext, BacktestRun, DateTimeOffset> finish, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TradingDbContext>();
            var run = await db.BacktestRuns.SingleOrDefaultAsync(r => r.Id == runId, cancellationToken);
            if (run is null || !run.IsHeldBy(owner))
            {
                return false;
            }

            finish(db, run, time.GetUtcNow());
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return true;
            }
            catch (DbUpdateConcurrencyException) when (attempt < FinishAttempts)
            {
                logger.LogDebug("Backtest {RunId} changed while finishing; retrying", runId);
            }
        }
    }
}
