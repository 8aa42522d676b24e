namespace StockGod.MarketData.Providers;

public enum MarketDataProviderKind
{
    Synthetic,
    Replay,
    Alpaca,
}

/// <summary>The <c>MarketData</c> configuration section.</summary>
public sealed class MarketDataOptions
{
    public const string SectionName = "MarketData";

    public MarketDataProviderKind Provider { get; set; } = MarketDataProviderKind.Synthetic;

    /// <summary>How often StreamQuotes looks for changed quotes (one cache poll per tick for all streams).</summary>
    public TimeSpan StreamInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Quotes buffered per StreamQuotes call; a reader that falls further behind loses the oldest ones.</summary>
    public int StreamBufferPerSubscriber { get; set; } = 256;
}
