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
/// its row lock (<c>FOR UPDATE SKIP LOCKED</c>), so replicas never mail the same report at the same time.
/// </summary>
internal sealed partial class ScreeningReportMailer(
    IServiceScopeFactory scopes,
    ScreeningEmailSender email,
    IOptions<ScreeningEmailOptions> options,
    TimeProvider time,
    ILogger<ScreeningReportMailer> logger)
{
    private long _pausedUntilTicks;

    /// <summary>Mails the unsent reports, oldest first; returns how many were sent. After a failed send it pauses for
    /// <see cref="ScreeningEmailOptions.RetryDelay"/> instead of trying again on every pass.</summary>
    public async Task<int> SendUnsentAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.IsConfigured || time.GetUtcNow().UtcTicks < Interlocked.Read(ref _pausedUntilTicks))
        {
            return 0;
        }

        var sent = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TradingDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var since = time.GetUtcNow() - settings.MaxReportAge;
            var run = (await db.Set<ScreeningRun>().FromSql($"""
                SELECT * FROM screening_runs
                WHERE status = 'completed' AND report_sent_at IS NULL AND finished_at >= {since}
                ORDER BY finished_at
                LIMIT 1
                FOR UPDATE SKIP LOCKED
                """).ToListAsync(cancellationToken)).SingleOrDefault();
            if (run is null)
            {
                return sent;
            }

            if (!await email.SendAsync(run, cancellationToken))
            {
                Interlocked.Exchange(ref _pausedUntilTicks, (time.GetUtcNow() + settings.RetryDelay).UtcTicks);
                LogPaused(logger, run.Id, settings.RetryDelay);
                return sent;
            }

            run.MarkReportSent(time.GetUtcNow());
            await db.SaveChangesAsync(CancellationToken.None);
            await transaction.CommitAsync(CancellationToken.None);
            sent++;
        }

        return sent;
    }

    [LoggerMessage(LogLevel.Warning, "Screening run {RunId} stays unsent; unsent reports are tried again in {RetryDelay}")]
    private static partial void LogPaused(ILogger logger, Guid runId, TimeSpan retryDelay);
}
