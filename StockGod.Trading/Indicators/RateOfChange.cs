namespace StockGod.Trading.Indicators;

/// <summary>Percentage change over <c>period</c> inputs: (value − value <c>period</c> ago) / value <c>period</c> ago × 100.</summary>
public sealed class RateOfChange(int period = 12) : IIndicator<decimal, decimal>
{
    private readonly RollingWindow<decimal> _window = new(DecimalMath.RequirePeriod(period) + 1);

    public int Period { get; } = period;

    public int WarmUp => Period + 1;

    public bool IsReady => _window.IsFull;

    public decimal Value => IsReady && _window[Period] != 0m ? (_window[0] - _window[Period]) / _window[Period] * 100m : 0m;

    public void Update(decimal input) => _window.Add(input, out _);

    public void Reset() => _window.Clear();
}
