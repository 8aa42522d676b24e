namespace StockGod.LoadTests;

/// <summary>The 50 symbols of the run: MarketData's synthetic universe is configured to exactly these.</summary>
public static class LoadSymbols
{
    public static readonly IReadOnlyList<string> All =
    [
        "AAPL", "AMGN", "AMZN", "AXP", "BA", "CAT", "CRM", "CSCO", "CVX", "DIS",
        "GS", "HD", "HON", "IBM", "JNJ", "JPM", "KO", "MCD", "MMM", "MRK",
        "MSFT", "NKE", "NVDA", "PG", "SHW", "TRV", "UNH", "V", "VZ", "WMT",
        "SPY", "BRK.B", "ABBV", "ADBE", "AMD", "AVGO", "BAC", "COST", "GOOGL", "INTC",
        "LLY", "MA", "META", "NFLX", "ORCL", "PEP", "PFE", "QCOM", "TMO", "XOM",
    ];

    /// <summary>The symbols whose quotes the Api scenario asks for.</summary>
    public static IReadOnlyList<string> Quoted { get; } = [.. All.Take(10)];
}
