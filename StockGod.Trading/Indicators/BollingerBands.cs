namespace StockGod.Trading.Indicators;

public readonly record struct BollingerValue(decimal Middle, decimal Upper, decimal Lower, decimal StandardDeviation);

/// <summary>
/// Middle = SMA(period); bands = middle ± width × the population standard deviation of the same window (as
/// Bollinger and StockCharts define it). Running sum and sum of squares are exact in decimal for price inputs.
/// </summary>
public sealed class BollingerBands(int period = 20, decimal width = 2m) : IIndicator<decimal, BollingerValue>
{
    private readonly RollingWindow<decimal> _window = new(DecimalMath.RequirePeriod(period, 2));
    private decimal _sum;
    private decimal _sumOfSquares;

    public int Period { get; } = period;

    public decimal Width { get; } = width > 0m ? width : throw new ArgumentOutOfRangeException(nameof(width), "width must be positive.");

    public int WarmUp => Period;

    public bool IsReady => _window.IsFull;

    public BollingerValue Value
    {
        get
        {
            if (!IsReady)
            {
                return default;
            }

            var mean = _sum / Period;
            var variance = Math.Max(0m, (_sumOfSquares - (_sum * mean)) / Period);
            var deviation = DecimalMath.Sqrt(variance);
            return new BollingerValue(mean, mean + (Width * deviation), mean - (Width * deviation), deviation);
        }
    }

    public void Update(decimal input)
    {
        _sum += input;
        _sumOfSquares += input * input;
        if (_window.Add(input, out var evicted))
        {
            _sum -= evicted;
            _sumOfSquares -= evicted * evicted;
        }
    }

    public void Reset()
    {
        _window.Clear();
        _sum = _sumOfSquares = 0m;
    }
}
