namespace StockGod.MarketData.V1;

/// <summary>
/// Exact conversions between <see cref="decimal"/> and the wire's units + nanos. Shared by the service and its
/// clients (they link this file), so both sides round the same way.
/// </summary>
public sealed partial class DecimalValue
{
    private const decimal NanoFactor = 1_000_000_000m;

    /// <summary>
    /// Converts a decimal; digits beyond the ninth decimal place are rounded half to even (prices never have them).
    /// Throws <see cref="OverflowException"/> when the integer part does not fit in 64 bits.
    /// </summary>
    public static DecimalValue FromDecimal(decimal value)
    {
        var rounded = decimal.Round(value, 9, MidpointRounding.ToEven);
        var units = decimal.Truncate(rounded);
        return new DecimalValue
        {
            Units = decimal.ToInt64(units),
            Nanos = decimal.ToInt32((rounded - units) * NanoFactor),
        };
    }

    public decimal ToDecimal() => ToDecimal(Units, Nanos);

    /// <summary>The decimal of a units + nanos pair, for readers of the wire bytes that build no message.</summary>
    public static decimal ToDecimal(long units, int nanos) => units + (nanos / NanoFactor);

    public static implicit operator decimal(DecimalValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.ToDecimal();
    }

    public static implicit operator DecimalValue(decimal value) => FromDecimal(value);
}
