using Microsoft.Extensions.Options;
using StockGod.Trading.Screening.Distributed;

namespace StockGod.Scheduler.Jobs.Screening;

/// <summary>
/// Works screening chunks in this replica: <see cref="ScreeningOptions.WorkersPerReplica"/> loops, each claiming one
/// chunk at a time from the shared queue. Every replica runs it; the queue's row locks and leases share the work out.
/// The loop that completes a run sends its e-mail.
/// </summary>
internal sealed partial class ScreeningWorker(
    ScreeningChunkProcessor processor,
    ScreeningWorkSignal signal,
    ScreeningEmailSender email,
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

            if (outcome?.CompletedRun is { } run)
            {
                await email.SendAsync(run, cancellationToken);
            }

            if (outcome is null)
            {
                await Task.WhenAny(wake, Task.Delay(options.Value.PollInterval, time, cancellationToken));
            }
        }
    }

    [LoggerMessage(LogLevel.Error, "Screening worker {Worker} failed to work the queue; it tries again after the poll interval")]
    private static partial void LogWorkerError(ILogger logger, Exception exception, string worker);
}
