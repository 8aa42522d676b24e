using System.Threading.Channels;
using Microsoft.Extensions.Options;
using StockGod.MarketData.Caching;
using StockGod.MarketData.Providers;

namespace StockGod.MarketData.Streaming;

/// <summary>
/// Fans quote changes out to every StreamQuotes subscriber. One poll of the cache per tick covers every symbol that
/// anyone watches, however many streams watch it; a symbol is watched while at least one subscription holds it, and
/// polling stops when nobody subscribes. Each subscriber has its own bounded buffer that drops its oldest quote when
/// full, so a slow reader loses superseded quotes instead of holding up the poll or the other subscribers.
/// </summary>
public sealed partial class QuoteBroadcaster(
    MarketDataCache cache,
    TimeProvider time,
    IOptions<MarketDataOptions> options,
    ILogger<QuoteBroadcaster> logger) : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, SymbolFeed> _feeds = new(StringComparer.Ordinal);
    private CancellationTokenSource? _polling;

    /// <summary>How many distinct symbols are watched now.</summary>
    public int WatchedSymbolCount
    {
        get
        {
            lock (_lock)
            {
                return _feeds.Count;
            }
        }
    }

    /// <summary>
    /// Watches the symbols of <paramref name="firstQuotes"/> (known symbols and their current quotes). The subscription
    /// starts with one quote per symbol: the one last broadcast to others, or the given one for a symbol nobody watched.
    /// Dispose it to stop watching.
    /// </summary>
    public QuoteSubscription Subscribe(IReadOnlyDictionary<string, CachedValue<Quote>> firstQuotes)
    {
        var buffer = Math.Max(options.Value.StreamBufferPerSubscriber, 1);
        var subscription = new QuoteSubscription(this, Channel.CreateBounded<CachedValue<Quote>>(
            new BoundedChannelOptions(buffer) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true }));
        lock (_lock)
        {
            foreach (var (symbol, quote) in firstQuotes)
            {
                if (!_feeds.TryGetValue(symbol, out var feed))
                {
                    _feeds[symbol] = feed = new SymbolFeed(quote);
                }

                feed.Subscribers.Add(subscription);
                subscription.Symbols.Add(symbol);
                subscription.Offer(feed.Latest);
            }

            if (_polling is null && _feeds.Count > 0)
            {
                _polling = new CancellationTokenSource();
                _ = PollAsync(_polling.Token);
            }
        }

        return subscription;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _feeds.Clear();
            StopPolling();
        }
    }

    internal void Unsubscribe(QuoteSubscription subscription)
    {
        lock (_lock)
        {
            foreach (var symbol in subscription.Symbols)
            {
                if (_feeds.TryGetValue(symbol, out var feed) && feed.Subscribers.Remove(subscription) && feed.Subscribers.Count == 0)
                {
                    _feeds.Remove(symbol);
                }
            }

            if (_feeds.Count == 0)
            {
                StopPolling();
            }
        }
    }

    private void StopPolling()
    {
        // Not disposed: the loop may still be observing the token; a source without timers holds nothing to free.
        _polling?.Cancel();
        _polling = null;
    }

    private async Task PollAsync(CancellationToken stopping)
    {
        var interval = options.Value.StreamInterval;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, time, stopping);
                string[] watched;
                lock (_lock)
                {
                    watched = [.. _feeds.Keys];
                }

                var quotes = await cache.GetQuotesAsync(watched, stopping);
                Broadcast(quotes);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The streams outlive a provider outage (or anything else a tick hits): they resume with the next tick.
                LogTickFailed(logger, ex);
            }
        }
    }

    private void Broadcast(IReadOnlyDictionary<string, CachedValue<Quote>> quotes)
    {
        lock (_lock)
        {
            foreach (var (symbol, quote) in quotes)
            {
                if (quote.Found && _feeds.TryGetValue(symbol, out var feed) && feed.MovesTo(quote))
                {
                    foreach (var subscriber in feed.Subscribers)
                    {
                        subscriber.Offer(quote);
                    }
                }
            }
        }
    }

    [LoggerMessage(LogLevel.Warning, "StreamQuotes could not refresh quotes; the streams stay open")]
    private static partial void LogTickFailed(ILogger logger, Exception exception);

    /// <summary>One watched symbol: the quote last broadcast and who receives the next one.</summary>
    private sealed class SymbolFeed(CachedValue<Quote> latest)
    {
        public CachedValue<Quote> Latest { get; private set; } = latest;

        public HashSet<QuoteSubscription> Subscribers { get; } = [];

        /// <summary>A change is a new bid, ask or last price; the timestamp alone moves every second.</summary>
        public bool MovesTo(CachedValue<Quote> next)
        {
            var (was, now) = (Latest.Value!, next.Value!);
            if (was.BidPrice == now.BidPrice && was.AskPrice == now.AskPrice && was.LastPrice == now.LastPrice)
            {
                return false;
            }

            Latest = next;
            return true;
        }
    }
}

/// <summary>One StreamQuotes call's view of the <see cref="QuoteBroadcaster"/>: its quotes, in order, until disposed.</summary>
public sealed class QuoteSubscription : IDisposable
{
    private readonly QuoteBroadcaster _broadcaster;
    private readonly Channel<CachedValue<Quote>> _buffer;
    private int _disposed;

    internal QuoteSubscription(QuoteBroadcaster broadcaster, Channel<CachedValue<Quote>> buffer)
    {
        _broadcaster = broadcaster;
        _buffer = buffer;
    }

    public ChannelReader<CachedValue<Quote>> Quotes => _buffer.Reader;

    internal List<string> Symbols { get; } = [];

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _broadcaster.Unsubscribe(this);
            _buffer.Writer.TryComplete();
        }
    }

    /// <summary>Never waits: a full buffer drops its oldest quote.</summary>
    internal void Offer(CachedValue<Quote> quote) => _buffer.Writer.TryWrite(quote);
}
