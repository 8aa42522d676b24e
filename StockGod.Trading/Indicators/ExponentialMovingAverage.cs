namespace StockGod.Trading.Indicators;

/// <summary>
/// EMA with multiplier 2 / (period + 1), seeded with the simple average of the first <c>period</c> values
/// (StockCharts' convention), then EMA = (value − previous) × multiplier + previous.
/// </summary>
public sealed class ExponentialMovingAverage(int period) : IIndicator<decimal, decimal>
{
    private readonly decimal _multiplier = 2m / (DecimalMath.RequirePeriod(period) + 1);
    private int _count;
    private decimal _value;

    public int Period { get; } = period;

    public int WarmUp => Period;

    public bool IsReady => _count >= Period;

    public decimal Value => IsReady ? _value : 0m;

    public void Update(decimal input)
    {
        _count++;
        if (_count < Period)
        {
            _value += input;
        }
        else if (_count == Period)
        {
            _value = (_value + input) / Period;
        }
        else
        {
            _value = ((input - _value) * _multiplier) + _value;
        }
    }

    public void Reset()
    {
        _count = 0;
        _value = 0m;
    }
}
