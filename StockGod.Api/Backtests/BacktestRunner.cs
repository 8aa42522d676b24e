using System.Collections.Immutable;
using Grpc.Core;
using Microsoft.Extensions.Options;
using StockGod.Trading.Backtesting;
using StockGod.Trading.Calendar;
using StockGod.Trading.Domain.Backtests;
using StockGod.Trading.Market;

namespace StockGod.Api.Backtests;

/// <summary>
/// Runs queued backtests in this Api replica, at most <see cref="BacktestRunnerOptions.MaxConcurrency"/> at once.
/// Any replica may claim any run (see <see cref="BacktestLeases"/>). While a run simulates, a heartbeat renews its
/// lease, saves its progress and checks for a cancel request, which cancels the engine's token (the engine checks it
/// every simulated day). On shutdown a running backtest is given back to the queue for another replica.
/// </summary>
internal sealed partial class BacktestRunner(
    BacktestLeases leases,
    BacktestQueueSignal signal,
    IMarketDataSource marketData,
    BacktestEngine engine,
    IOptions<BacktestRunnerOptions> options,
    TimeProvider time,
    ILogger<BacktestRunner> logger) : BackgroundService
{
    /// <summary>This runner's lease owner name: unique per process start, readable in the table.</summary>
    public string Owner { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        using var slots = new SemaphoreSlim(Math.Max(1, settings.MaxConcurrency));
        var running = new List<Task>();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await slots.WaitAsync(stoppingToken);
                BacktestRun? run = null;
                try
                {
                    run = await leases.TryClaimAsync(Owner, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogClaimFailed(ex);
                }

                if (run is null)
                {
                    slots.Release();
                    await signal.WaitAsync(settings.PollInterval, time, stoppingToken);
                    continue;
                }

                running.RemoveAll(t => t.IsCompleted);
                running.Add(Task.Run(async () =>
                {
                    try
                    {
                        await RunAsync(run, stoppingToken);
                    }
                    catch (Exception ex)
                    {
                        // Only the database can fail here (recording the outcome); the lease expires and another
                        // runner repeats the run, so this must not take the host down.
                        LogRunFailed(ex, run.Id);
                    }
                    finally
                    {
                        slots.Release();
                        signal.Notify();
                    }
                }, CancellationToken.None));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: the running backtests see the same token and hand their runs back.
        }

        await Task.WhenAll(running);
    }

    private async Task RunAsync(BacktestRun run, CancellationToken stoppingToken)
    {
        LogStarted(run.Id, run.StrategyType, run.Universe.Count, run.StartDate, run.EndDate, run.Attempts);
        using var work = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var progress = new LatestProgress();
        var simulation = Task.Run(() => SimulateAsync(run, progress, work.Token), CancellationToken.None);

        var stopReason = HeartbeatOutcome.Continue;
        while (!simulation.IsCompleted && !stoppingToken.IsCancellationRequested)
        {
            await Task.WhenAny(simulation, Task.Delay(options.Value.HeartbeatInterval, time, stoppingToken));
            if (simulation.IsCompleted || stoppingToken.IsCancellationRequested)
            {
                break;
            }

            try
            {
                stopReason = await leases.HeartbeatAsync(run.Id, Owner, progress.Latest, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A missed heartbeat is not fatal: the lease outlives several of them.
                LogHeartbeatFailed(ex, run.Id);
            }
            catch (OperationCanceledException)
            {
                // Shutting down: the simulation sees the same token.
            }

            if (stopReason != HeartbeatOutcome.Continue)
            {
                await work.CancelAsync();
                break;
            }
        }

        await FinishAsync(run, simulation, stopReason, stoppingToken);
    }

    private async Task FinishAsync(BacktestRun run, Task<BacktestResult> simulation, HeartbeatOutcome stopReason, CancellationToken stoppingToken)
    {
        // Finishing writes must not be cut short by the shutdown that may have stopped the run.
        var finishing = CancellationToken.None;
        try
        {
            var result = await simulation;
            if (await leases.CompleteAsync(run.Id, Owner, result, finishing))
            {
                LogCompleted(run.Id, result.Strategy.Statistics.TotalReturn, result.BarsProcessed);
            }
            else
            {
                LogLeaseLost(run.Id);
            }
        }
        catch (OperationCanceledException) when (stopReason == HeartbeatOutcome.CancelRequested)
        {
            await leases.ConfirmCanceledAsync(run.Id, Owner, finishing);
            LogCanceled(run.Id);
        }
        catch (OperationCanceledException) when (stopReason == HeartbeatOutcome.LeaseLost)
        {
            LogLeaseLost(run.Id);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            await leases.ReleaseAsync(run.Id, Owner, finishing);
            LogReleased(run.Id);
        }
        catch (ArgumentException ex)
        {
            // The engine refuses what it cannot run (no bars for the universe in the range, ...) and says why.
            await leases.FailAsync(run.Id, Owner, ex.Message, finishing);
            LogFailed(ex, run.Id);
        }
        catch (RpcException ex)
        {
            await leases.FailAsync(run.Id, Owner, $"Market data was unavailable: {ex.Status.Detail}", finishing);
            LogFailed(ex, run.Id);
        }
        catch (Exception ex)
        {
            await leases.FailAsync(run.Id, Owner, "The backtest failed unexpectedly.", finishing);
            LogFailed(ex, run.Id);
        }
    }

    private async Task<BacktestResult> SimulateAsync(BacktestRun run, LatestProgress progress, CancellationToken cancellationToken)
    {
        var settings = run.ToSettings();
        var bars = await marketData.GetBarsAsync(
            settings.Universe, BarTimeframe.Day1, NewYorkTime.StartOfDay(settings.Start), NewYorkTime.StartOfDay(settings.End.AddDays(1)), cancellationToken);
        var barsBySymbol = bars.ToDictionary(p => p.Key, p => p.Value.ToImmutableArray(), StringComparer.OrdinalIgnoreCase);
        return engine.Run(settings, barsBySymbol, progress, cancellationToken);
    }

    /// <summary>The engine reports on its own thread; the heartbeat reads the latest report.</summary>
    private sealed class LatestProgress : IProgress<BacktestProgress>
    {
        private readonly Lock _lock = new();
        private BacktestProgress _latest;

        public BacktestProgress Latest
        {
            get
            {
                lock (_lock)
                {
                    return _latest;
                }
            }
        }

        public void Report(BacktestProgress value)
        {
            lock (_lock)
            {
                _latest = value;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Backtest {RunId} started: {Strategy} over {Symbols} symbols from {Start} to {End} (attempt {Attempt})")]
    private partial void LogStarted(Guid runId, string strategy, int symbols, DateOnly start, DateOnly end, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Backtest {RunId} completed: total return {TotalReturn}, {Bars} bars")]
    private partial void LogCompleted(Guid runId, decimal totalReturn, long bars);

    [LoggerMessage(Level = LogLevel.Information, Message = "Backtest {RunId} canceled at the user's request")]
    private partial void LogCanceled(Guid runId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Backtest {RunId} handed back to the queue: this replica is stopping")]
    private partial void LogReleased(Guid runId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backtest {RunId} is no longer held by this runner (its lease expired); its outcome here is dropped")]
    private partial void LogLeaseLost(Guid runId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backtest {RunId} failed")]
    private partial void LogFailed(Exception exception, Guid runId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Heartbeat of backtest {RunId} failed")]
    private partial void LogHeartbeatFailed(Exception exception, Guid runId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Recording the outcome of backtest {RunId} failed; it will be reclaimed when its lease expires")]
    private partial void LogRunFailed(Exception exception, Guid runId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Claiming a queued backtest failed")]
    private partial void LogClaimFailed(Exception exception);
}
