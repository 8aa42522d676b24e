using StockGod.Testing;
using StockGod.Testing.Screening;
using StockGod.Trading.Market;

namespace StockGod.Api.Tests.Support;

/// <summary>
/// Testing's <see cref="HistoricalMarketData"/> over the real S&amp;P 500 file in <c>../shared/data</c> (loaded once per
/// test process), with a gate in front: <see cref="Hold"/> makes bar requests wait (until <see cref="Release"/> or their
/// cancellation, as a gRPC call would), so a test can catch a backtest while it runs.
/// </summary>
public sealed class HoldableHistoricalMarketData : IMarketDataSource
{
    private readonly Lazy<HistoricalMarketData> _market = new(() => new HistoricalMarketData(Data.BarsBySymbol));
    private readonly Lock _lock = new();
    private TaskCompletionSource? _gate;
    private TaskCompletionSource _waiting = NewSignal();

    public static DailyBarHistory Data => SharedData.DailyBars;

    /// <summary>Completes when a bar request is waiting at the held gate.</summary>
    public Task Waiting
    {
        get
        {
            lock (_lock)
            {
                return _waiting.Task;
            }
        }
    }

    public void Hold()
    {
        lock (_lock)
        {
            _gate = NewSignal();
            _waiting = NewSignal();
        }
    }

    public void Release()
    {
        lock (_lock)
        {
            _gate?.TrySetResult();
            _gate = null;
        }
    }

    public Task<IReadOnlyDictionary<string, Quote>> GetQuotesAsync(IReadOnlyCollection<string> symbols, CancellationToken cancellationToken = default) =>
        _market.Value.GetQuotesAsync(symbols, cancellationToken);

    public async Task<IReadOnlyDictionary<string, IReadOnlyList<Bar>>> GetBarsAsync(
        IReadOnlyCollection<string> symbols, BarTimeframe timeframe, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken = default)
    {
        Task gate;
        lock (_lock)
        {
            gate = _gate?.Task ?? Task.CompletedTask;
            if (_gate is not null)
            {
                _waiting.TrySetResult();
            }
        }

        await gate.WaitAsync(cancellationToken);
        return await _market.Value.GetBarsAsync(symbols, timeframe, start, end, cancellationToken);
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
