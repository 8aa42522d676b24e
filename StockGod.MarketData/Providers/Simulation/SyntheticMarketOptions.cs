namespace StockGod.MarketData.Providers.Simulation;

/// <summary>The <c>MarketData:Synthetic</c> section: the universe and the ranges the per-symbol parameters are drawn from.</summary>
public sealed class SyntheticMarketOptions
{
    public const string SectionName = "MarketData:Synthetic";

    /// <summary>The 30 Dow Jones Industrial Average stocks, the S&amp;P 500 ETF and a class-B share (a dotted symbol).</summary>
    public static readonly IReadOnlyList<string> DefaultUniverse =
    [
        "AAPL", "AMGN", "AMZN", "AXP", "BA", "CAT", "CRM", "CSCO", "CVX", "DIS",
        "GS", "HD", "HON", "IBM", "JNJ", "JPM", "KO", "MCD", "MMM", "MRK",
        "MSFT", "NKE", "NVDA", "PG", "SHW", "TRV", "UNH", "V", "VZ", "WMT",
        "SPY", "BRK.B",
    ];

    /// <summary>Names the market: another seed gives another, equally deterministic, market.</summary>
    public string Seed { get; set; } = "stockgod";

    /// <summary>The universe; empty means <see cref="DefaultUniverse"/> (a default list would be appended to by binding).</summary>
    public string[] Symbols { get; set; } = [];

    /// <summary>The first session of the history; prices start there and walk forward.</summary>
    public DateOnly HistoryStart { get; set; } = new(2015, 1, 2);

    /// <summary>The index that is the market factor itself.</summary>
    public string MarketSymbol { get; set; } = "SPY";

    public double MarketAnnualVolatility { get; set; } = 0.16;

    public double MarketAnnualDrift { get; set; } = 0.08;

    public double MinAnnualVolatility { get; set; } = 0.18;

    public double MaxAnnualVolatility { get; set; } = 0.45;

    public double MinAnnualDrift { get; set; } = -0.05;

    public double MaxAnnualDrift { get; set; } = 0.20;

    /// <summary>Correlation of a stock's daily return with the market factor.</summary>
    public double MinMarketCorrelation { get; set; } = 0.4;

    public double MaxMarketCorrelation { get; set; } = 0.8;
}
