using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace StockGod.MarketData.Caching;

/// <summary>The service's own metrics (meter <c>StockGod.MarketData</c>): cache hits and misses by tier, upstream calls, errors and latency.</summary>
public sealed class MarketDataMetrics
{
    public const string MeterName = "StockGod.MarketData";

    private readonly Counter<long> _hits;
    private readonly Counter<long> _misses;
    private readonly Counter<long> _upstreamCalls;
    private readonly Counter<long> _upstreamErrors;
    private readonly Counter<long> _staleServed;
    private readonly Histogram<double> _upstreamDuration;

    public MarketDataMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _hits = meter.CreateCounter<long>("stockgod.marketdata.cache.hits", "{entry}", "Cache lookups answered, by tier (l1, l2) and kind.");
        _misses = meter.CreateCounter<long>("stockgod.marketdata.cache.misses", "{entry}", "Cache lookups not answered, by tier (l1, l2) and kind.");
        _upstreamCalls = meter.CreateCounter<long>("stockgod.marketdata.upstream.calls", "{call}", "Calls to the provider, by provider and kind.");
        _upstreamErrors = meter.CreateCounter<long>("stockgod.marketdata.upstream.errors", "{call}", "Failed calls to the provider, by provider and kind.");
        _staleServed = meter.CreateCounter<long>("stockgod.marketdata.stale.served", "{entry}", "Last known values served because the provider failed.");
        _upstreamDuration = meter.CreateHistogram<double>("stockgod.marketdata.upstream.duration", "s", "Latency of calls to the provider.");
    }

    public void Hits(string tier, string kind, int count)
    {
        if (count > 0)
        {
            _hits.Add(count, new("tier", tier), new("kind", kind));
        }
    }

    public void Misses(string tier, string kind, int count)
    {
        if (count > 0)
        {
            _misses.Add(count, new("tier", tier), new("kind", kind));
        }
    }

    public void StaleServed(string kind, int count)
    {
        if (count > 0)
        {
            _staleServed.Add(count, new KeyValuePair<string, object?>("kind", kind));
        }
    }

    public void UpstreamCall(string provider, string kind, long startTimestamp, bool failed)
    {
        TagList tags = new() { { "provider", provider }, { "kind", kind } };
        _upstreamCalls.Add(1, tags);
        if (failed)
        {
            _upstreamErrors.Add(1, tags);
        }

        _upstreamDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, tags);
    }
}
