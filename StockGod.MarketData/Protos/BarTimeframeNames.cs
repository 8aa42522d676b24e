using StockGod.Trading.Market;

namespace StockGod.MarketData.V1;

/// <summary>The wire names of the bar sizes (Alpaca's spellings), shared by the service and its clients.</summary>
public static class BarTimeframeNames
{
    public static readonly IReadOnlyList<string> All = ["1Min", "5Min", "15Min", "1Hour", "1Day"];

    public static bool TryParse(string? name, out BarTimeframe timeframe)
    {
        switch (name)
        {
            case "1Min": timeframe = BarTimeframe.Minute1; return true;
            case "5Min": timeframe = BarTimeframe.Minute5; return true;
            case "15Min": timeframe = BarTimeframe.Minute15; return true;
            case "1Hour": timeframe = BarTimeframe.Hour1; return true;
            case "1Day": timeframe = BarTimeframe.Day1; return true;
            default: timeframe = default; return false;
        }
    }

    public static string ToWireName(this BarTimeframe timeframe) => timeframe switch
    {
        BarTimeframe.Minute1 => "1Min",
        BarTimeframe.Minute5 => "5Min",
        BarTimeframe.Minute15 => "15Min",
        BarTimeframe.Hour1 => "1Hour",
        BarTimeframe.Day1 => "1Day",
        _ => throw new ArgumentOutOfRangeException(nameof(timeframe), timeframe, null),
    };
}
