namespace StockGod.Trading.Brokerage.Simulated;

/// <summary>How the simulated exchange fills (configuration section <c>SimulatedExchange</c>).</summary>
public sealed class SimulatedExchangeOptions
{
    public const string SectionName = "SimulatedExchange";

    /// <summary>Trade at any hour (a 24-hour New York session) so a demo works on weekends; false follows the NYSE calendar.</summary>
    public bool AlwaysOpen { get; set; } = true;

    /// <summary>Price concession of market (and triggered stop) orders, in basis points: buys pay above the ask, sells get below the bid.</summary>
    public decimal SlippageBasisPoints { get; set; }

    /// <summary>Cash of a new account when its portfolio's starting cash is unknown.</summary>
    public decimal DefaultStartingCash { get; set; } = 100_000m;

    /// <summary>Largest quantity one evaluation fills (null: all of it), so orders go through partially_filled.</summary>
    public decimal? MaxFillQuantityPerEvaluation { get; set; }

    /// <summary>How long an order rests before it can fill at all, as an exchange round trip would.</summary>
    public TimeSpan FillLatency { get; set; } = TimeSpan.Zero;

    /// <summary>Whether sells beyond the position open shorts (a margin account) instead of being refused.</summary>
    public bool AllowShorting { get; set; }
}
