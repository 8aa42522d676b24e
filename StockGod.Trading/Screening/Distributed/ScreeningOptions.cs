namespace StockGod.Trading.Screening.Distributed;

/// <summary>The <c>Screening</c> configuration section: what a run screens and how the work is shared out.</summary>
public sealed class ScreeningOptions
{
    public const string SectionName = "Screening";

    /// <summary>
    /// An explicit universe (tickers). Empty: the constituents file at <see cref="ConstituentsPath"/>, else the
    /// market-data provider's universe.
    /// </summary>
    public List<string> Symbols { get; set; } = [];

    /// <summary>
    /// The S&amp;P 500 constituents file (symbol and GICS sector). A relative path is looked for under the content root
    /// and its parents, so the default finds <c>shared/data</c> beside the repository.
    /// </summary>
    public string? ConstituentsPath { get; set; } = "../shared/data/" + ScreeningData.ConstituentsFile;

    /// <summary>A fundamentals snapshot (the 2017 file when MarketData replays the real bars); none by default.</summary>
    public string? FundamentalsPath { get; set; }

    public int ChunkSize { get; set; } = ScreeningSettings.DefaultChunkSize;

    public int TopN { get; set; } = 25;

    public FactorNormalization Normalization { get; set; } = FactorNormalization.Rank;

    public bool WithinSector { get; set; }

    /// <summary>Factor weights replacing the defaults one by one (<c>Screening:Weights:Momentum12Months = 1.0</c>).</summary>
    public Dictionary<ScreeningFactor, decimal> Weights { get; set; } = [];

    /// <summary>Calendar days of daily bars fetched before the as-of day: 12-month momentum needs 253 bars, and
    /// RSI's Wilder smoothing settles over the extra months.</summary>
    public int HistoryDays { get; set; } = 550;

    /// <summary>How long a claimed chunk stays with its worker; after that any worker may take it over.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Attempts per chunk (failures and expired leases) before the run fails.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Back-off before a failed chunk is retried (times the attempts so far).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Chunks one Scheduler replica works on at once.</summary>
    public int WorkersPerReplica { get; set; } = 2;

    /// <summary>How often an idle worker looks for chunks (other replicas' runs; a run made in-process wakes it at once).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The settings of a run as of <paramref name="asOf"/>: the defaults with this section's changes.</summary>
    public ScreeningSettings SettingsFor(DateOnly asOf)
    {
        var weights = ScreeningSettings.DefaultWeights.ToDictionary();
        foreach (var (factor, weight) in Weights)
        {
            weights[factor] = weight;
        }

        return new ScreeningSettings { AsOf = asOf, TopN = TopN, Normalization = Normalization, WithinSector = WithinSector, Weights = weights };
    }
}
