namespace StockGod.Trading.Indicators;

/// <summary>Mean of the last <c>period</c> values, kept as a running sum (exact in decimal).</summary>
public sealed class SimpleMovingAverage(int period) : IIndicator<decimal, decimal>
{
    private readonly RollingWindow<decimal> _window = new(DecimalMath.RequirePeriod(period));
    private decimal _sum;

    public int Period { get; } = period;

    public int WarmUp => Period;

    public bool IsReady => _window.IsFull;

    public decimal Value => IsReady ? _sum / Period : 0m;

    public void Update(decimal input)
    {
        _sum += input;
        if (_window.Add(input, out var evicted))
        {
            _sum -= evicted;
        }
    }

    public void Reset()
    {
        _window.Clear();
        _sum = 0m;
    }
}
