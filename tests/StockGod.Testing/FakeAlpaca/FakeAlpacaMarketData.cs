using System.Text.Json.Serialization;

namespace StockGod.Testing.FakeAlpaca;

/// <summary>
/// Market data the test seeds and the fake's Market Data v2 routes serve: latest quotes and trades, and bars per
/// symbol and timeframe (served as seeded: the fake does not aggregate one timeframe into another). Snapshots are
/// assembled from the same data: latest trade and quote, the last <c>1Min</c> bar, the last two <c>1Day</c> bars.
/// </summary>
public sealed class FakeAlpacaMarketData
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, FakeAlpacaQuote> _quotes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FakeAlpacaTrade> _trades = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Symbol, string Timeframe), SortedList<DateTimeOffset, FakeAlpacaBar>> _bars = [];

    public void SetLatestQuote(string symbol, FakeAlpacaQuote quote)
    {
        lock (_lock) { _quotes[symbol] = quote; }
    }

    public void SetLatestTrade(string symbol, FakeAlpacaTrade trade)
    {
        lock (_lock) { _trades[symbol] = trade; }
    }

    /// <summary>Adds (or replaces, by time) bars of a symbol at a timeframe such as <c>1Day</c>, <c>1Min</c>, <c>15Min</c>.</summary>
    public void AddBars(string symbol, string timeframe, IEnumerable<FakeAlpacaBar> bars)
    {
        var key = (symbol, NormalizeTimeframe(timeframe) ?? throw new ArgumentException($"'{timeframe}' is not an Alpaca timeframe.", nameof(timeframe)));
        lock (_lock)
        {
            if (!_bars.TryGetValue(key, out var series))
            {
                _bars[key] = series = [];
            }

            foreach (var bar in bars)
            {
                series[bar.Timestamp] = bar;
            }
        }
    }

    internal FakeAlpacaQuote? LatestQuote(string symbol)
    {
        lock (_lock) { return _quotes.GetValueOrDefault(symbol); }
    }

    internal FakeAlpacaSnapshot? Snapshot(string symbol)
    {
        lock (_lock)
        {
            var daily = _bars.GetValueOrDefault((symbol, "1Day"))?.Values;
            var minute = _bars.GetValueOrDefault((symbol, "1Min"))?.Values;
            var snapshot = new FakeAlpacaSnapshot(
                _trades.GetValueOrDefault(symbol),
                _quotes.GetValueOrDefault(symbol),
                minute is { Count: > 0 } ? minute[^1] : null,
                daily is { Count: > 0 } ? daily[^1] : null,
                daily is { Count: > 1 } ? daily[^2] : null);
            return snapshot == FakeAlpacaSnapshot.Empty ? null : snapshot;
        }
    }

    /// <summary>Bars of the symbols in Alpaca's page order: by symbol, then by time (or reverse time).</summary>
    internal IEnumerable<(string Symbol, FakeAlpacaBar Bar)> Bars(
        IEnumerable<string> symbols, string timeframe, DateTimeOffset? start, DateTimeOffset? end, bool descending)
    {
        lock (_lock)
        {
            return [.. symbols.Order(StringComparer.Ordinal).SelectMany(symbol =>
            {
                var series = _bars.GetValueOrDefault((symbol, timeframe))?.Values ?? [];
                var inRange = series.Where(b => (start is null || b.Timestamp >= start) && (end is null || b.Timestamp <= end));
                return (descending ? inRange.Reverse() : inRange).Select(bar => (symbol, bar));
            })];
        }
    }

    /// <summary>Alpaca's timeframe spellings (<c>1D</c>, <c>5T</c>, <c>1H</c>, …) to one canonical form, or null if invalid.</summary>
    internal static string? NormalizeTimeframe(string timeframe)
    {
        var digits = timeframe.TakeWhile(char.IsAsciiDigit).Count();
        if (digits == 0 || !int.TryParse(timeframe.AsSpan(0, digits), out var amount))
        {
            return null;
        }

        return timeframe[digits..] switch
        {
            "Min" or "T" when amount is >= 1 and <= 59 => $"{amount}Min",
            "Hour" or "H" when amount is >= 1 and <= 23 => $"{amount}Hour",
            "Day" or "D" when amount == 1 => "1Day",
            "Week" or "W" when amount == 1 => "1Week",
            "Month" or "M" when amount is 1 or 2 or 3 or 4 or 6 or 12 => $"{amount}Month",
            _ => null,
        };
    }
}

// Market Data v2 objects with Alpaca's one-letter keys (market-data-api.json: stock_quote, stock_trade, stock_bar);
// prices are JSON numbers here, unlike the Trading API.

public sealed record FakeAlpacaQuote(
    [property: JsonPropertyName("t")] DateTimeOffset Timestamp,
    [property: JsonPropertyName("bp")] decimal BidPrice,
    [property: JsonPropertyName("bs")] long BidSize,
    [property: JsonPropertyName("ap")] decimal AskPrice,
    [property: JsonPropertyName("as")] long AskSize,
    [property: JsonPropertyName("bx")] string BidExchange = "V",
    [property: JsonPropertyName("ax")] string AskExchange = "V",
    IReadOnlyList<string>? Conditions = null,
    [property: JsonPropertyName("z")] string Tape = "C")
{
    [JsonPropertyName("c")]
    public IReadOnlyList<string> Conditions { get; init; } = Conditions ?? ["R"];
}

public sealed record FakeAlpacaTrade(
    [property: JsonPropertyName("t")] DateTimeOffset Timestamp,
    [property: JsonPropertyName("p")] decimal Price,
    [property: JsonPropertyName("s")] long Size,
    [property: JsonPropertyName("i")] long TradeId = 1,
    [property: JsonPropertyName("x")] string Exchange = "V",
    IReadOnlyList<string>? Conditions = null,
    [property: JsonPropertyName("z")] string Tape = "C")
{
    [JsonPropertyName("c")]
    public IReadOnlyList<string> Conditions { get; init; } = Conditions ?? ["@"];
}

/// <summary>A bar; daily bars are stamped at midnight New York time, expressed in UTC, as Alpaca does.</summary>
public sealed record FakeAlpacaBar(
    [property: JsonPropertyName("t")] DateTimeOffset Timestamp,
    [property: JsonPropertyName("o")] decimal Open,
    [property: JsonPropertyName("h")] decimal High,
    [property: JsonPropertyName("l")] decimal Low,
    [property: JsonPropertyName("c")] decimal Close,
    [property: JsonPropertyName("v")] long Volume,
    [property: JsonPropertyName("n")] long TradeCount,
    [property: JsonPropertyName("vw")] decimal Vwap);

internal sealed record FakeAlpacaSnapshot(
    [property: JsonPropertyName("latestTrade")] FakeAlpacaTrade? LatestTrade,
    [property: JsonPropertyName("latestQuote")] FakeAlpacaQuote? LatestQuote,
    [property: JsonPropertyName("minuteBar")] FakeAlpacaBar? MinuteBar,
    [property: JsonPropertyName("dailyBar")] FakeAlpacaBar? DailyBar,
    [property: JsonPropertyName("prevDailyBar")] FakeAlpacaBar? PrevDailyBar)
{
    public static readonly FakeAlpacaSnapshot Empty = new(null, null, null, null, null);
}
