using StockGod.Testing;
using StockGod.Trading.Market;

namespace StockGod.Api.Tests.Support;

/// <summary>
/// Daily bars of the real S&amp;P 500 file in <c>../shared/data</c> (loaded once per test process), served through the
/// Api's own <see cref="IMarketDataSource"/> seam in place of MarketData's gRPC client. <see cref="Hold"/> makes bar
/// requests wait (until <see cref="Release"/> or their cancellation, as a gRPC call would), so a test can catch a
/// backtest while it runs.
/// </summary>
public sealed class HoldableHistoricalMarketData : IMarketDataSource
{
    private static readonly Lazy<DailyBarHistory> History = new(() => DailyBarCsvReader.ReadFile(SharedData.RequirePath(SharedData.DailyBarsFile)));

    private readonly Lock _lock = new();
    private TaskCompletionSource? _gate;
    private TaskCompletionSource _waiting = NewSignal();

    public static DailyBarHistory Data => History.Value;

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

    /// <summary>No quotes: backtests only read bars.</summary>
    public Task<IReadOnlyDictionary<string, Quote>> GetQuotesAsync(IReadOnlyCollection<string> symbols, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyDictionary<string, Quote>>(new Dictionary<string, Quote>());

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
        if (timeframe != BarTimeframe.Day1)
        {
            return new Dictionary<string, IReadOnlyList<Bar>>();
        }

        var answer = new Dictionary<string, IReadOnlyList<Bar>>(StringComparer.OrdinalIgnoreCase);
        foreach (var symbol in symbols)
        {
            if (Data.BarsBySymbol.TryGetValue(symbol, out var bars))
            {
                answer[symbol] = [.. bars.Where(b => b.Timestamp >= start && b.Timestamp < end)];
            }
        }

        return answer;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
