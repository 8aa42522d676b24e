namespace StockGod.MarketData.Providers.Replay;

/// <summary>The <c>MarketData:Replay</c> section.</summary>
public sealed class ReplayOptions
{
    public const string SectionName = "MarketData:Replay";

    /// <summary>
    /// The daily bar file (CSV or gzip). A relative path is looked for under the content root and then under each of
    /// its parent folders, so the default finds <c>shared/data</c> beside the repository.
    /// </summary>
    public string Path { get; set; } = "../shared/data/sp500-daily-2013-2018.csv.gz";
}
