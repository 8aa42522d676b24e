namespace StockGod.Trading.Market;

/// <summary>Bar sizes, named as Alpaca names them.</summary>
public enum BarTimeframe
{
    Minute1,
    Minute5,
    Minute15,
    Hour1,
    Day1,
}

/// <summary>One OHLCV bar. <see cref="Timestamp"/> is the bar's start in UTC (for daily bars: the session's date at 00:00 New York, as Alpaca stamps them).</summary>
public readonly record struct Bar(
    DateTimeOffset Timestamp,
    decimal Open,
    decimal High,
    decimal Low,
    decimal Close,
    long Volume,
    decimal Vwap = 0m,
    int TradeCount = 0);
