using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Options;
using StockGod.MarketData.Providers;

namespace StockGod.MarketData.Caching;

/// <summary>Bars of one symbol as served; <see cref="Stale"/> when part of them came from the cache after the provider failed.</summary>
public sealed record CachedBars(IReadOnlyList<Bar> Bars, bool Stale);

/// <summary>
/// Quotes, snapshots and bars through the tiered cache. Quotes and snapshots are fresh for a few seconds while the
/// market is open and longer while it is closed. Bars are cached in chunks (a session's intraday bars, a month's daily
/// bars): a chunk that is over never changes and is kept long; the chunk in progress is as fresh as a quote.
/// </summary>
public sealed class MarketDataCache
{
    private readonly IMarketDataProvider _provider;
    private readonly IMarketCalendar _calendar;
    private readonly TimeProvider _time;
    private readonly MarketDataMetrics _metrics;
    private readonly MarketDataCacheOptions _options;
    private readonly TieredCache<Quote> _quotes;
    private readonly TieredCache<MarketSnapshot> _snapshots;
    private readonly TieredCache<Bar[]> _bars;
    private (long Second, CachePolicy Policy) _quotePolicy = (long.MinValue, default);

    public MarketDataCache(
        IMarketDataProvider provider,
        IMarketCalendar calendar,
        HybridCache memory,
        RedisCacheTier redis,
        IOptions<MarketDataCacheOptions> options,
        TimeProvider time,
        MarketDataMetrics metrics)
    {
        _provider = provider;
        _calendar = calendar;
        _time = time;
        _metrics = metrics;
        _options = options.Value;
        _quotes = new("quote", memory, redis, CacheJsonContext.Default.CacheEntryQuote, time, metrics);
        _snapshots = new("snapshot", memory, redis, CacheJsonContext.Default.CacheEntryMarketSnapshot, time, metrics);
        _bars = new("bars", memory, redis, CacheJsonContext.Default.CacheEntryBarArray, time, metrics);
    }

    public string ProviderName => _provider.Name;

    public Task<IReadOnlyDictionary<string, CachedValue<Quote>>> GetQuotesAsync(IReadOnlyList<string> symbols, CancellationToken cancellationToken)
    {
        var policy = QuotePolicy();
        return _quotes.GetManyAsync(
            symbols,
            _ => policy,
            (missing, ct) => CallProviderAsync("quote", () => _provider.GetLatestQuotesAsync(missing, ct)),
            cancellationToken);
    }

    public Task<IReadOnlyDictionary<string, CachedValue<MarketSnapshot>>> GetSnapshotsAsync(IReadOnlyList<string> symbols, CancellationToken cancellationToken)
    {
        var policy = QuotePolicy();
        return _snapshots.GetManyAsync(
            symbols,
            _ => policy,
            (missing, ct) => CallProviderAsync("snapshot", () => _provider.GetSnapshotsAsync(missing, ct)),
            cancellationToken);
    }

    /// <summary>Finished bars in [start, end) per known symbol; unknown symbols are left out.</summary>
    public async Task<IReadOnlyDictionary<string, CachedBars>> GetBarsAsync(
        IReadOnlyList<string> symbols, BarTimeframe timeframe, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (end > now)
        {
            end = now;
        }

        var chunks = end > start ? Chunks(timeframe, start, end).ToList() : [];
        var result = new Dictionary<string, CachedBars>(symbols.Count, StringComparer.Ordinal);
        if (chunks.Count == 0)
        {
            // Nothing can be in the range; the symbols' existence is checked against the quotes.
            var quotes = await GetQuotesAsync(symbols, cancellationToken);
            foreach (var symbol in symbols.Where(s => quotes.TryGetValue(s, out var q) && q.Found))
            {
                result[symbol] = new CachedBars([], Stale: false);
            }

            return result;
        }

        var name = V1.BarTimeframeNames.ToWireName(timeframe);
        var wanted = new Dictionary<string, (string Symbol, Chunk Chunk)>(symbols.Count * chunks.Count, StringComparer.Ordinal);
        foreach (var symbol in symbols)
        {
            foreach (var chunk in chunks)
            {
                wanted[$"{name}:{symbol}:{chunk.Id}"] = (symbol, chunk);
            }
        }

        var openPolicy = QuotePolicy();
        var finishedPolicy = new CachePolicy(_options.FinishedBarTtl, _options.FinishedBarTtl);
        var cached = await _bars.GetManyAsync(
            [.. wanted.Keys],
            key => wanted[key].Chunk.End <= now ? finishedPolicy : openPolicy,
            (missing, ct) => FetchChunksAsync(missing, wanted, timeframe, now, ct),
            cancellationToken);

        foreach (var symbol in symbols)
        {
            var bars = new List<Bar>();
            var stale = false;
            var known = true;
            foreach (var chunk in chunks)
            {
                var entry = cached[$"{name}:{symbol}:{chunk.Id}"];
                known &= entry.Found;
                stale |= entry.Stale;
                bars.AddRange(entry.Value?.Where(b => b.Timestamp >= start && b.Timestamp < end) ?? []);
            }

            if (known)
            {
                result[symbol] = new CachedBars(bars, stale);
            }
        }

        return result;
    }

    /// <summary>One upstream call for every missing chunk: the missing symbols over the span of the missing chunks.</summary>
    private async Task<IReadOnlyDictionary<string, Bar[]>> FetchChunksAsync(
        IReadOnlyList<string> missing,
        Dictionary<string, (string Symbol, Chunk Chunk)> wanted,
        BarTimeframe timeframe,
        DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        var parts = missing.Select(key => wanted[key]).ToList();
        var symbols = parts.Select(p => p.Symbol).Distinct(StringComparer.Ordinal).ToList();
        var from = parts.Min(p => p.Chunk.Start);
        var to = parts.Max(p => p.Chunk.End);
        var fetched = await CallProviderAsync("bars", () => _provider.GetBarsAsync(symbols, timeframe, from, to < now ? to : now, cancellationToken));

        var chunks = new Dictionary<string, Bar[]>(missing.Count, StringComparer.Ordinal);
        foreach (var key in missing)
        {
            var (symbol, chunk) = wanted[key];
            if (fetched.TryGetValue(symbol, out var bars))
            {
                chunks[key] = [.. bars.Where(b => b.Timestamp >= chunk.Start && b.Timestamp < chunk.End)];
            }
        }

        return chunks;
    }

    private async Task<TResult> CallProviderAsync<TResult>(string kind, Func<Task<TResult>> call)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = await call();
            _metrics.UpstreamCall(_provider.Name, kind, started, failed: false);
            return result;
        }
        catch (Exception)
        {
            _metrics.UpstreamCall(_provider.Name, kind, started, failed: true);
            throw;
        }
    }

    /// <summary>Quotes are fresh for seconds while the market is open and minutes while it is closed. Worked out once a second.</summary>
    private CachePolicy QuotePolicy()
    {
        var now = _time.GetUtcNow();
        var second = now.UtcTicks / TimeSpan.TicksPerSecond;
        var cached = _quotePolicy;
        if (cached.Second == second)
        {
            return cached.Policy;
        }

        var policy = new CachePolicy(
            _calendar.IsOpen(now) ? _options.QuoteTtlWhenOpen : _options.QuoteTtlWhenClosed,
            _options.StaleRetention);
        _quotePolicy = (second, policy);
        return policy;
    }

    /// <summary>Intraday bars are cached per session date, daily bars per calendar month (New York dates).</summary>
    private IEnumerable<Chunk> Chunks(BarTimeframe timeframe, DateTimeOffset start, DateTimeOffset end)
    {
        var first = NewYorkTime.DateOf(start);
        var last = NewYorkTime.DateOf(end.AddTicks(-1));
        if (timeframe == BarTimeframe.Day1)
        {
            for (var month = new DateOnly(first.Year, first.Month, 1); month <= last; month = month.AddMonths(1))
            {
                yield return new Chunk(
                    month.ToString("yyyyMM", CultureInfo.InvariantCulture),
                    NewYorkTime.StartOfDay(month),
                    NewYorkTime.StartOfDay(month.AddMonths(1)));
            }

            yield break;
        }

        foreach (var session in _calendar.TradingDays(first, last))
        {
            yield return new Chunk(
                session.Date.ToString("yyyyMMdd", CultureInfo.InvariantCulture),
                NewYorkTime.StartOfDay(session.Date),
                NewYorkTime.StartOfDay(session.Date.AddDays(1)));
        }
    }

    private readonly record struct Chunk(string Id, DateTimeOffset Start, DateTimeOffset End);
}
