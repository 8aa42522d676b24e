namespace StockGod.Trading.Persistence;

/// <summary>
/// PostgreSQL column types for decimals. Quantities carry Alpaca's fractional-share precision (9 places); prices and
/// money carry 8 places, which is what <see cref="Domain.DecimalRounding"/> rounds computed values to, so what is
/// saved reads back equal to what the domain computed.
/// </summary>
internal static class ColumnTypes
{
    public const string Quantity = "numeric(28,9)";
    public const string Price = "numeric(28,8)";
    public const string Money = "numeric(28,8)";

    /// <summary>Ratios such as signal strength or a share of equity (0.25 = 25 %).</summary>
    public const string Ratio = "numeric(12,8)";
}
