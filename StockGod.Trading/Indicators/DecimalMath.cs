namespace StockGod.Trading.Indicators;

internal static class DecimalMath
{
    /// <summary>
    /// Square root to decimal precision: a double estimate refined by Newton's method in decimal (each step doubles
    /// the correct digits, so two or three steps reach decimal's 28 significant digits). Deterministic for a given
    /// input, so streaming and batch results stay identical.
    /// </summary>
    public static decimal Sqrt(decimal value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        if (value == 0m)
        {
            return 0m;
        }

        var x = (decimal)Math.Sqrt((double)value);
        for (var i = 0; i < 4; i++)
        {
            var next = (x + (value / x)) / 2m;
            if (next == x)
            {
                break;
            }

            x = next;
        }

        return x;
    }

    public static int RequirePeriod(int period, int minimum = 1, string name = "period")
    {
        if (period < minimum)
        {
            throw new ArgumentOutOfRangeException(name, period, $"{name} must be at least {minimum}.");
        }

        return period;
    }
}
