using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StockGod.Trading.Calendar;
using StockGod.Trading.Domain.Research;
using StockGod.Trading.Persistence;

namespace StockGod.Trading.Screening.Distributed;

/// <summary>Starts screening runs: the configured universe cut into work items, stored with the run in one transaction.</summary>
public sealed class ScreeningRunService(
    TradingDbContext db,
    ScreeningReferenceData referenceData,
    ScreeningWorkSignal signal,
    IOptions<ScreeningOptions> options,
    TimeProvider time)
{
    public async Task<ScreeningRun> StartAsync(ScreeningSettings settings, string requestedBy, int? chunkSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var size = chunkSize ?? options.Value.ChunkSize;
        var chunks = ScreeningEngine.Chunk(await referenceData.GetUniverseAsync(cancellationToken), size);
        if (chunks.Count == 0)
        {
            throw new InvalidOperationException("The screening universe is empty.");
        }

        var now = time.GetUtcNow();
        var run = new ScreeningRun(Guid.CreateVersion7(), settings, size, chunks.Count, requestedBy, now);
        db.Add(run);
        for (var i = 0; i < chunks.Count; i++)
        {
            db.Add(new ScreeningWorkItem(Guid.CreateVersion7(), run.Id, i, chunks[i], now));
        }

        await db.SaveChangesAsync(cancellationToken);
        signal.Notify();
        return run;
    }

    /// <summary>
    /// The scheduled run of a date with the configured settings. Idempotent: a scheduled run of that date that has
    /// not failed is returned as it is (a recovered or repeated firing starts nothing new).
    /// </summary>
    public async Task<(ScreeningRun Run, bool Started)> StartScheduledAsync(DateOnly asOf, CancellationToken cancellationToken)
    {
        var existing = await db.Set<ScreeningRun>().AsNoTracking()
            .Where(r => r.AsOf == asOf && r.RequestedBy == ScreeningRun.ScheduleRequester && r.Status != ScreeningRunStatus.Failed)
            .OrderByDescending(r => r.CreatedAt)
            .FirstOrDefaultAsync(cancellationToken);
        return existing is not null
            ? (existing, false)
            : (await StartAsync(options.Value.SettingsFor(asOf), ScreeningRun.ScheduleRequester, null, cancellationToken), true);
    }

    /// <summary>The date of the last session that closed at or before <paramref name="at"/>: what "today's screen" means.</summary>
    public static DateOnly LatestClosedSessionDate(IMarketCalendar calendar, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        for (var date = NewYorkTime.DateOf(at); ; date = date.AddDays(-1))
        {
            if (calendar.SessionFor(date) is { } session && session.Close <= at)
            {
                return date;
            }
        }
    }
}

/// <summary>Wakes this process's idle workers when a run is started here (other replicas' runs are found by polling).</summary>
public sealed class ScreeningWorkSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the next <see cref="Notify"/>; take it before looking for work so no wake-up is lost.</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    public void Notify() => Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
