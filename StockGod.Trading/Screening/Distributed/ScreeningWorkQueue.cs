using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StockGod.Trading.Domain.Notifications;
using StockGod.Trading.Domain.Research;
using StockGod.Trading.Persistence;

namespace StockGod.Trading.Screening.Distributed;

/// <summary>A chunk a worker holds: what to score and with which settings.</summary>
public sealed record ClaimedChunk(Guid ItemId, Guid RunId, int Index, int Attempt, IReadOnlyList<UniverseMember> Members, ScreeningSettings Settings);

/// <summary>
/// The durable work queue of screening runs in PostgreSQL. Workers claim chunks with <c>FOR UPDATE SKIP LOCKED</c>
/// under a lease; the worker whose completion leaves no chunk open aggregates the run in the same transaction.
/// <para>
/// Locks are always taken chunk row first, run row second, so no two paths can deadlock. Completing takes the run
/// row lock before it counts the open chunks: two workers finishing the last two chunks at once are serialised there,
/// the first sees the other chunk still open, the second sees none and aggregates, exactly once. A worker that dies
/// while aggregating rolls its chunk back with it, so the chunk is redone after its lease expires and aggregation
/// still happens once.
/// </para>
/// </summary>
public sealed partial class ScreeningWorkQueue(TradingDbContext db, TimeProvider time, IOptions<ScreeningOptions> options, ILogger<ScreeningWorkQueue> logger)
{
    public const string ReadyNotificationKind = "screening.ready";

    private ScreeningOptions Options => options.Value;

    /// <summary>Takes the next due chunk of any running run, or returns null when there is none.</summary>
    public async Task<ClaimedChunk?> ClaimAsync(string worker, CancellationToken cancellationToken)
    {
        while (true)
        {
            var now = time.GetUtcNow();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var item = (await db.Set<ScreeningWorkItem>().FromSql($"""
                SELECT i.* FROM screening_work_items i
                JOIN screening_runs r ON r.id = i.run_id
                WHERE r.status = 'running'
                  AND ((i.status = 'pending' AND i.available_at <= {now}) OR (i.status = 'running' AND i.lease_expires_at < {now}))
                ORDER BY i.run_id, i."index"
                LIMIT 1
                FOR UPDATE OF i SKIP LOCKED
                """).ToListAsync(cancellationToken)).SingleOrDefault();
            if (item is null)
            {
                return null;
            }

            if (item.Status == ScreeningWorkItemStatus.Running && item.Attempts >= Options.MaxAttempts)
            {
                // Its last allowed worker died: the run fails rather than retrying forever.
                var run = await LockRunAsync(item.RunId, cancellationToken);
                var reason = $"lease of {item.LeaseOwner} expired at {item.LeaseExpiresAt:O} on attempt {item.Attempts}";
                item.Fail(reason);
                run.Fail(FailureOf(item, reason), now);
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                LogRunFailed(logger, run.Id, run.FailureReason!);
                db.ChangeTracker.Clear();
                continue;
            }

            if (item.Status == ScreeningWorkItemStatus.Running)
            {
                LogLeaseExpired(logger, item.Index, item.RunId, item.LeaseOwner!, worker);
            }

            item.Claim(worker, now, Options.LeaseDuration);
            var settings = await db.Set<ScreeningRun>().Where(r => r.Id == item.RunId).Select(r => r.Settings).SingleAsync(cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            db.ChangeTracker.Clear();
            return new ClaimedChunk(item.Id, item.RunId, item.Index, item.Attempts, item.Members, settings);
        }
    }

    /// <summary>
    /// Stores a chunk's result. Returns the run when this completion was the last and the report is now stored;
    /// null otherwise (other chunks still open, or the chunk is no longer this worker's: its lease expired and
    /// another worker took it, whose result will count instead).
    /// </summary>
    public async Task<ScreeningRun?> CompleteAsync(ClaimedChunk chunk, string worker, ScreeningChunkResult result, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var item = await LockItemAsync(chunk.ItemId, cancellationToken);
        if (!item.IsHeldBy(worker))
        {
            LogLeaseLost(logger, chunk.Index, chunk.RunId, worker);
            return null;
        }

        var run = await LockRunAsync(chunk.RunId, cancellationToken);
        if (run.Status != ScreeningRunStatus.Running)
        {
            return null;
        }

        item.Complete(result, now);
        await db.SaveChangesAsync(cancellationToken);
        var open = await db.Set<ScreeningWorkItem>().CountAsync(i => i.RunId == run.Id && i.Status != ScreeningWorkItemStatus.Completed, cancellationToken);
        if (open > 0)
        {
            await transaction.CommitAsync(cancellationToken);
            return null;
        }

        // Every result is read back from the database, this one too, so every run aggregates the stored values.
        var results = await db.Set<ScreeningWorkItem>().AsNoTracking()
            .Where(i => i.RunId == run.Id)
            .OrderBy(i => i.Index)
            .Select(i => i.Result!)
            .ToListAsync(cancellationToken);
        var report = ScreeningAggregator.Aggregate(run.Settings, results);
        run.Complete(report, now);
        await NotifyUsersAsync(run, report, now, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        LogRunCompleted(logger, run.Id, run.AsOf, report.Ranking.Count, report.Excluded.Count);
        return run;
    }

    /// <summary>Records a failed attempt: the chunk is retried after a back-off, or fails its run after the last attempt.</summary>
    public async Task FailAsync(ClaimedChunk chunk, string worker, string error, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var item = await LockItemAsync(chunk.ItemId, cancellationToken);
        if (!item.IsHeldBy(worker))
        {
            return;
        }

        var run = await LockRunAsync(chunk.RunId, cancellationToken);
        if (item.Attempts >= Options.MaxAttempts && run.Status == ScreeningRunStatus.Running)
        {
            item.Fail(error);
            run.Fail(FailureOf(item, error), now);
            LogRunFailed(logger, run.Id, run.FailureReason!);
        }
        else
        {
            item.Release(error, now + (Options.RetryDelay * item.Attempts));
            LogChunkRetry(logger, item.Index, run.Id, item.Attempts, error);
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private async Task<ScreeningWorkItem> LockItemAsync(Guid id, CancellationToken cancellationToken) =>
        (await db.Set<ScreeningWorkItem>().FromSql($"SELECT * FROM screening_work_items WHERE id = {id} FOR UPDATE").ToListAsync(cancellationToken)).Single();

    private async Task<ScreeningRun> LockRunAsync(Guid id, CancellationToken cancellationToken) =>
        (await db.Set<ScreeningRun>().FromSql($"SELECT * FROM screening_runs WHERE id = {id} FOR UPDATE").ToListAsync(cancellationToken)).Single();

    private static string FailureOf(ScreeningWorkItem item, string error) =>
        string.Create(CultureInfo.InvariantCulture,
            $"Chunk {item.Index} ({item.Members.FirstOrDefault()?.Symbol}…{item.Members.LastOrDefault()?.Symbol}) failed after {item.Attempts} attempts: {error}");

    /// <summary>"Top picks ready" to every user, in the transaction that stores the report, so it is sent once.</summary>
    private async Task NotifyUsersAsync(ScreeningRun run, ScreeningResult report, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var users = await db.Users.Select(u => u.Id).ToListAsync(cancellationToken);
        var title = $"Top picks ready for {run.AsOf:yyyy-MM-dd}";
        var body = string.Create(CultureInfo.InvariantCulture,
            $"Top {report.Top.Count} of {report.Ranking.Count} screened: {string.Join(", ", report.Top.Select(t => t.Symbol))}.");
        foreach (var userId in users)
        {
            var data = JsonSerializer.SerializeToDocument(new { run_id = run.Id, as_of = run.AsOf });
            db.Notifications.Add(new Notification(Guid.CreateVersion7(), userId, ReadyNotificationKind, title, body, data, now));
        }
    }

    [LoggerMessage(LogLevel.Information, "Screening chunk {Index} of run {RunId}: the lease of {Owner} expired, {Worker} takes it over")]
    private static partial void LogLeaseExpired(ILogger logger, int index, Guid runId, string owner, string worker);

    [LoggerMessage(LogLevel.Warning, "Screening chunk {Index} of run {RunId}: {Worker} lost its lease before finishing; its result is dropped")]
    private static partial void LogLeaseLost(ILogger logger, int index, Guid runId, string worker);

    [LoggerMessage(LogLevel.Warning, "Screening chunk {Index} of run {RunId} failed on attempt {Attempt} and will be retried: {Error}")]
    private static partial void LogChunkRetry(ILogger logger, int index, Guid runId, int attempt, string error);

    [LoggerMessage(LogLevel.Error, "Screening run {RunId} failed: {Reason}")]
    private static partial void LogRunFailed(ILogger logger, Guid runId, string reason);

    [LoggerMessage(LogLevel.Information, "Screening run {RunId} as of {AsOf} completed: {Scored} symbols ranked, {Excluded} excluded")]
    private static partial void LogRunCompleted(ILogger logger, Guid runId, DateOnly asOf, int scored, int excluded);
}
