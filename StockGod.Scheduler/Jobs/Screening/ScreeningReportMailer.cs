using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StockGod.Trading.Domain.Research;
using StockGod.Trading.Persistence;

namespace StockGod.Scheduler.Jobs.Screening;

/// <summary>
/// Mails every completed screen whose report has not been sent yet, and records <see cref="ScreeningRun.ReportSentAt"/>
/// when the SMTP server took it. The run row is the outbox: a worker that dies between storing a report and mailing
/// it leaves the report unsent, and the next pass of any replica's worker mails it. Delivery is at least once: a
/// replica that dies after the server took the mail but before recording it sends it again. Each run is mailed under
/// its row lock (<c>FOR UPDATE SKIP LOCKED</c>), so replicas never mail the same report at the same time. A failed
/// send (SMTP down) pauses the passes; a run whose report cannot be made into a mail is passed over instead, so it
/// does not stall the reports after it.
/// </summary>
internal sealed partial class ScreeningReportMailer(
    IServiceScopeFactory scopes,
    ScreeningEmailSender email,
    IOptions<ScreeningEmailOptions> options,
    TimeProvider time,
    ILogger<ScreeningReportMailer> logger)
{
    private long _pausedUntilTicks;

    /// <summary>
    /// Runs this replica found it cannot mail (no report, or one no message can be built from), with when they
    /// finished: passed over by later passes, so one bad run neither stalls the reports after it nor is retried
    /// forever. In memory (no schema for it): after a restart each is tried, and warned about, once more. Forgotten
    /// once older than <see cref="ScreeningEmailOptions.MaxReportAge"/>, when the query leaves them out anyway.
    /// </summary>
    private readonly ConcurrentDictionary<Guid, DateTimeOffset> _unmailable = new();

    /// <summary>Mails the unsent reports, oldest first; returns how many were sent. After a failed send it pauses for
    /// <see cref="ScreeningEmailOptions.RetryDelay"/> instead of trying again on every pass; a run whose report cannot
    /// be mailed is passed over (see <see cref="_unmailable"/>) and the later ones are mailed.</summary>
    public async Task<int> SendUnsentAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.IsConfigured || time.GetUtcNow().UtcTicks < Interlocked.Read(ref _pausedUntilTicks))
        {
            return 0;
        }

        var since = time.GetUtcNow() - settings.MaxReportAge;
        foreach (var (id, finishedAt) in _unmailable)
        {
            if (finishedAt < since)
            {
                _unmailable.TryRemove(id, out _);
            }
        }

        var sent = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TradingDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            since = time.GetUtcNow() - settings.MaxReportAge;
            var passedOver = _unmailable.Keys.ToArray();

            // The id first and the run after: a report that cannot even be read back must not stop the query itself.
            var runId = (await db.Database.SqlQuery<Guid>($"""
                SELECT id AS "Value" FROM screening_runs
                WHERE status = 'completed' AND report_sent_at IS NULL AND finished_at >= {since} AND id <> ALL({passedOver})
                ORDER BY finished_at
                LIMIT 1
                FOR UPDATE SKIP LOCKED
                """).ToListAsync(cancellationToken)).SingleOrDefault();
            if (runId == Guid.Empty)
            {
                return sent;
            }

            ScreeningRun run;
            try
            {
                run = await db.Set<ScreeningRun>().SingleAsync(r => r.Id == runId, cancellationToken);
            }
            catch (JsonException unreadable)
            {
                var finishedAt = await db.Set<ScreeningRun>().Where(r => r.Id == runId).Select(r => r.FinishedAt!.Value).SingleAsync(cancellationToken);
                PassOver(runId, finishedAt, unreadable.Message);
                continue;
            }

            switch (await email.SendAsync(run, cancellationToken))
            {
                case ReportMailOutcome.Sent:
                    run.MarkReportSent(time.GetUtcNow());
                    await db.SaveChangesAsync(CancellationToken.None);
                    await transaction.CommitAsync(CancellationToken.None);
                    sent++;
                    break;
                case ReportMailOutcome.Unmailable:
                    PassOver(run.Id, run.FinishedAt!.Value, reason: null);
                    break;
                default:
                    Interlocked.Exchange(ref _pausedUntilTicks, (time.GetUtcNow() + settings.RetryDelay).UtcTicks);
                    LogPaused(logger, run.Id, settings.RetryDelay);
                    return sent;
            }
        }

        return sent;
    }

    private void PassOver(Guid runId, DateTimeOffset finishedAt, string? reason)
    {
        _unmailable[runId] = finishedAt;
        if (reason is not null)
        {
            LogUnreadable(logger, runId, reason);
        }
    }

    [LoggerMessage(LogLevel.Warning, "Screening run {RunId} stays unsent; unsent reports are tried again in {RetryDelay}")]
    private static partial void LogPaused(ILogger logger, Guid runId, TimeSpan retryDelay);

    [LoggerMessage(LogLevel.Warning, "Screening run {RunId} has a stored report that cannot be read ({Reason}); it is left unsent and the later reports go on")]
    private static partial void LogUnreadable(ILogger logger, Guid runId, string reason);
}
