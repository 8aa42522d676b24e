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

    /// <summary>How often StreamQuotes looks for changed quotes.</summary>
    public TimeSpan StreamInterval { get; set; } = TimeSpan.FromSeconds(1);
}
