namespace StockGod.MarketData.Client;

/// <summary>The <c>MarketData:Client</c> section of a consumer.</summary>
public sealed class MarketDataClientOptions
{
    public const string SectionName = "MarketData:Client";

    /// <summary>Deadline of each unary call that sets none itself.</summary>
    public TimeSpan Deadline { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Attempts of a call that fails with UNAVAILABLE, the first included (gRPC retry policy).</summary>
    public int MaxAttempts { get; set; } = 4;
}
