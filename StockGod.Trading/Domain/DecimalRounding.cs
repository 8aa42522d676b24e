namespace StockGod.Trading.Domain;

/// <summary>
/// The scales the domain rounds computed values to; they match the database columns (see Persistence.ColumnTypes),
/// so an aggregate reads back exactly as it was saved. Banker's rounding keeps repeated rounding unbiased.
/// </summary>
public static class DecimalRounding
{
    public const int QuantityScale = 9;
    public const int PriceScale = 8;
    public const int MoneyScale = 8;

    public static decimal Quantity(decimal value) => Math.Round(value, QuantityScale, MidpointRounding.ToEven);

    public static decimal Price(decimal value) => Math.Round(value, PriceScale, MidpointRounding.ToEven);

    public static decimal Money(decimal value) => Math.Round(value, MoneyScale, MidpointRounding.ToEven);

    /// <summary>Invariant text without trailing zeros: 10.000000000 and 10 are the same quantity and read as "10".</summary>
    public static string Format(decimal value) =>
        (value / 1.000000000000000000000000000000000m).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
