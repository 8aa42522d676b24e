namespace StockGod.MarketData.Providers.Simulation;

/// <summary>
/// A market simulated from daily bars (synthetic or replayed): the day's minute path comes from
/// <see cref="IntradayPath"/>, quotes follow the path second by second with a spread around it, and only what has
/// happened by the current time (<see cref="TimeProvider"/>) is shown.
/// </summary>
public sealed class SimulatedMarketProvider(IDailyHistory history, IMarketCalendar calendar, TimeProvider time) : IMarketDataProvider
{
    private const int LookBackDays = 14;

    public string Name => history.Name;

    public IReadOnlyList<string> Symbols { get; } = [.. history.Symbols.Order(StringComparer.Ordinal)];

    public Task<IReadOnlyDictionary<string, Quote>> GetLatestQuotesAsync(IReadOnlyCollection<string> symbols, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var quotes = new Dictionary<string, Quote>(symbols.Count, StringComparer.Ordinal);
        foreach (var symbol in symbols)
        {
            if (Now(symbol, now) is { } state)
            {
                quotes[symbol] = state.Quote;
            }
        }

        return Task.FromResult<IReadOnlyDictionary<string, Quote>>(quotes);
    }

    public Task<IReadOnlyDictionary<string, MarketSnapshot>> GetSnapshotsAsync(IReadOnlyCollection<string> symbols, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var snapshots = new Dictionary<string, MarketSnapshot>(symbols.Count, StringComparer.Ordinal);
        foreach (var symbol in symbols)
        {
            if (Now(symbol, now) is { } state)
            {
                snapshots[symbol] = new MarketSnapshot(
                    symbol,
                    new LastTrade(state.Quote.LastPrice, state.TradeSize, state.Quote.Timestamp),
                    state.Quote,
                    state.MinuteBar,
                    state.DailyBar,
                    state.PreviousDailyBar);
            }
        }

        return Task.FromResult<IReadOnlyDictionary<string, MarketSnapshot>>(snapshots);
    }

    public Task<IReadOnlyDictionary<string, IReadOnlyList<Bar>>> GetBarsAsync(
        IReadOnlyCollection<string> symbols, BarTimeframe timeframe, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (end > now)
        {
            end = now;
        }

        var sessions = end > start
            ? calendar.TradingDays(NewYorkTime.DateOf(start), NewYorkTime.DateOf(end)).ToList()
            : [];
        var bars = new Dictionary<string, IReadOnlyList<Bar>>(symbols.Count, StringComparer.Ordinal);
        foreach (var symbol in symbols.Where(history.Contains))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var list = new List<Bar>();
            foreach (var session in sessions)
            {
                if (history.DailyBar(symbol, session) is not { } day)
                {
                    continue;
                }

                if (timeframe == BarTimeframe.Day1)
                {
                    if (session.Close <= now && day.Timestamp >= start && day.Timestamp < end)
                    {
                        list.Add(day);
                    }

                    continue;
                }

                AddIntradayBars(list, symbol, session, day, timeframe.IntradayLength(), start, end, now);
            }

            bars[symbol] = list;
        }

        return Task.FromResult<IReadOnlyDictionary<string, IReadOnlyList<Bar>>>(bars);
    }

    private void AddIntradayBars(
        List<Bar> list, string symbol, MarketSession session, Bar day, TimeSpan length, DateTimeOffset start, DateTimeOffset end, DateTimeOffset now)
    {
        if (session.Close <= start || session.Open >= end)
        {
            return;
        }

        var minutes = IntradayPath.MinuteBars(history.Market, symbol, session, day);
        var i = 0;
        while (i < minutes.Length)
        {
            var bucket = BarTimeframes.BucketStart(minutes[i].Timestamp, length);
            var j = i;
            while (j < minutes.Length && minutes[j].Timestamp < bucket + length)
            {
                j++;
            }

            // A bar is finished when its period or the session is over.
            var finished = Min(bucket + length, session.Close) <= now;
            if (finished && bucket >= start && bucket < end)
            {
                list.Add(IntradayPath.Aggregate(minutes.AsSpan(i, j - i), bucket));
            }

            i = j;
        }
    }

    /// <summary>The symbol's state at <paramref name="now"/>: inside a session, on its minute path; outside, at the last close.</summary>
    private SymbolState? Now(string symbol, DateTimeOffset now)
    {
        if (!history.Contains(symbol))
        {
            return null;
        }

        var today = NewYorkTime.DateOf(now);
        var sessions = calendar.TradingDays(today.AddDays(-LookBackDays), today).Where(s => s.Open <= now).Reverse();
        (MarketSession Session, Bar Day)? current = null;
        foreach (var session in sessions)
        {
            if (history.DailyBar(symbol, session) is not { } day)
            {
                continue;
            }

            if (current is null)
            {
                current = (session, day);
                continue;
            }

            return StateAt(symbol, now, current.Value.Session, current.Value.Day, day);
        }

        return current is { } only ? StateAt(symbol, now, only.Session, only.Day, previousDay: null) : null;
    }

    private SymbolState StateAt(string symbol, DateTimeOffset now, MarketSession session, Bar day, Bar? previousDay)
    {
        var minutes = IntradayPath.MinuteBars(history.Market, symbol, session, day);
        decimal last;
        DateTimeOffset at;
        Bar? minuteBar;
        Bar dailyBar;
        if (now >= session.Close)
        {
            last = day.Close;
            at = session.Close;
            minuteBar = minutes[^1];
            dailyBar = day;
        }
        else
        {
            at = new DateTimeOffset(now.Ticks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero);
            var elapsed = at - session.Open;
            var index = Math.Min((int)elapsed.TotalMinutes, minutes.Length - 1);
            var minute = minutes[index];
            var fraction = (decimal)(elapsed - TimeSpan.FromMinutes(index)).TotalSeconds / 60m;
            last = decimal.Round(minute.Open + ((minute.Close - minute.Open) * fraction), 2);
            minuteBar = index > 0 ? minutes[index - 1] : null;
            var soFar = index > 0
                ? IntradayPath.Aggregate(minutes.AsSpan(0, index), day.Timestamp)
                : new Bar(day.Timestamp, day.Open, day.Open, day.Open, day.Open, 0);
            dailyBar = soFar with { High = Math.Max(soFar.High, last), Low = Math.Min(soFar.Low, last), Close = last };
        }

        var random = DeterministicRandom.For(history.Market, symbol, at.ToUnixTimeSeconds(), stream: 11);
        var spread = Math.Max(0.01m, decimal.Round(last * Spread(symbol), 2));
        var bid = Math.Max(0.01m, last - decimal.Round(spread / 2m, 2, MidpointRounding.ToZero));
        var ask = bid + spread;
        var quote = new Quote(
            symbol,
            bid,
            100 * (1 + (long)(random.NextDouble() * 9)),
            ask,
            100 * (1 + (long)(random.NextDouble() * 9)),
            last,
            at,
            history.Name);
        return new SymbolState(quote, 1 + (long)(random.NextDouble() * 300), minuteBar, dailyBar, previousDay);
    }

    /// <summary>Relative spread of a symbol: 2 to 8 basis points, fixed per symbol.</summary>
    private decimal Spread(string symbol)
    {
        var random = DeterministicRandom.For(history.Market, symbol, 0, stream: 13);
        return (decimal)random.NextDouble(0.0002, 0.0008);
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private sealed record SymbolState(Quote Quote, long TradeSize, Bar? MinuteBar, Bar DailyBar, Bar? PreviousDailyBar);
}
