namespace StockGod.MarketData.Caching;

/// <summary>The <c>MarketData:Cache</c> section.</summary>
public sealed class MarketDataCacheOptions
{
    public const string SectionName = "MarketData:Cache";

    /// <summary>How long a quote or snapshot is fresh while the market is open.</summary>
    public TimeSpan QuoteTtlWhenOpen { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a quote is fresh while the market is closed (never past the next open).</summary>
    public TimeSpan QuoteTtlWhenClosed { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long finished bars are kept: they never change.</summary>
    public TimeSpan FinishedBarTtl { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long a last known value is kept to be served, marked stale, when the provider fails.</summary>
    public TimeSpan StaleRetention { get; set; } = TimeSpan.FromDays(3);

    /// <summary>
    /// Bytes the in-process tier holds at most, counted as HybridCache counts them: the size of each entry serialized.
    /// </summary>
    public long MemorySizeLimit { get; set; } = 256L * 1024 * 1024;

    /// <summary>Prefix of every Redis key, so services can share a Redis.</summary>
    public string RedisKeyPrefix { get; set; } = "stockgod:marketdata:";

    /// <summary>How long Redis is left alone after a failure before it is tried again.</summary>
    public TimeSpan RedisRetryAfter { get; set; } = TimeSpan.FromSeconds(5);
}
