namespace StockGod.MarketData.Providers.Simulation;

/// <summary>Daily bars of a simulated market: the synthetic model or a replay of real history.</summary>
public interface IDailyHistory
{
    /// <summary>Source name put on quotes and bars.</summary>
    string Name { get; }

    /// <summary>Seed of the intraday paths, so two histories never share paths.</summary>
    string Market { get; }

    bool Contains(string symbol);

    IReadOnlyCollection<string> Symbols { get; }

    /// <summary>The symbol's daily bar for a session, or null when it has none (not listed yet, a gap in the data).</summary>
    Bar? DailyBar(string symbol, MarketSession session);
}
