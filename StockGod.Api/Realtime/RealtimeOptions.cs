namespace StockGod.Api.Realtime;

/// <summary>The <c>Realtime</c> configuration section: how the price stream follows its users.</summary>
public sealed class RealtimeOptions
{
    public const string SectionName = "Realtime";

    /// <summary>Quiet time after a connect or disconnect before the symbol set is recomputed (a burst costs one re-subscription).</summary>
    public TimeSpan SubscriptionDebounce { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How often the connected users' symbols are re-read from the database (new positions, watchlist edits).</summary>
    public TimeSpan InterestRefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>First wait before reopening the stream after MarketData went away; doubles up to <see cref="ReconnectMaxDelay"/>.</summary>
    public TimeSpan ReconnectInitialDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(30);
}
