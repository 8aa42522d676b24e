using Microsoft.Extensions.Options;
using StockGod.Trading.Screening.Distributed;

namespace StockGod.Scheduler.Jobs.Screening;

/// <summary>
/// Works screening chunks in this replica: <see cref="ScreeningOptions.WorkersPerReplica"/> loops, each claiming one
/// chunk at a time from the shared queue. Every replica runs it; the queue's row locks and leases share the work out.
/// The loop that completes a run mails its report at once; every idle pass mails any report left unsent (its worker
/// died between storing and mailing it, or the SMTP server was down): see <see cref="ScreeningReportMailer"/>.
/// </summary>
internal sealed partial class ScreeningWorker(
    ScreeningChunkProcessor processor,
    ScreeningWorkSignal signal,
    ScreeningReportMailer mailer,
    IOptions<ScreeningOptions> options,
    TimeProvider time,
    ILogger<ScreeningWorker> logger) : BackgroundService
{
    private readonly string _replica = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, Math.Max(1, options.Value.WorkersPerReplica))
            .Select(i => Task.Run(() => RunAsync($"{_replica}/{i}", stoppingToken), stoppingToken)));

    /// <summary>One worker loop: work chunks while there are any, then wait for a wake-up or the next poll.</summary>
    internal async Task RunAsync(string worker, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var wake = signal.Next;
            ChunkOutcome? outcome = null;
            try
            {
                outcome = await processor.ProcessNextAsync(worker, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The database or the queue is unreachable: a chunk this loop held is reclaimed when its lease expires.
                LogWorkerError(logger, e, worker);
            }

            if (outcome is null || outcome.CompletedRun is not null)
            {
                await SendUnsentReportsAsync(worker, cancellationToken);
            }

            if (outcome is null)
            {
                await Task.WhenAny(wake, Task.Delay(options.Value.PollInterval, time, cancellationToken));
            }
        }
    }

    private async Task SendUnsentReportsAsync(string worker, CancellationToken cancellationToken)
    {
        try
        {
            await mailer.SendUnsentAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            // The database is unreachable: the reports stay unsent and a later pass mails them.
            LogMailerError(logger, e, worker);
        }
    }

    [LoggerMessage(LogLevel.Error, "Screening worker {Worker} could not mail the unsent screening reports; a later pass tries again")]
    private static partial void LogMailerError(ILogger logger, Exception exception, string worker);

    [LoggerMessage(LogLevel.Error, "Screening worker {Worker} failed to work the queue; it tries again after the poll interval")]
    private static partial void LogWorkerError(ILogger logger, Exception exception, string worker);
}
