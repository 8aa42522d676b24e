namespace StockGod.Trading.Indicators;

/// <summary>
/// Annualised volatility: the sample standard deviation of the last <c>period</c> daily log returns × √252, as a
/// fraction (0.25 = 25 %). The logarithm has no decimal implementation, so each return ln(close / previous) is
/// taken in double and converted to decimal once; everything after (sums, variance, square root) is decimal, so
/// streaming and batch agree exactly.
/// </summary>
public sealed class RollingVolatility(int period = 20, int periodsPerYear = 252) : IIndicator<decimal, decimal>
{
    private readonly RollingWindow<decimal> _returns = new(DecimalMath.RequirePeriod(period, 2));
    private readonly decimal _annualisation = DecimalMath.Sqrt(DecimalMath.RequirePeriod(periodsPerYear, name: nameof(periodsPerYear)));
    private bool _hasPrevious;
    private decimal _previous;
    private decimal _sum;
    private decimal _sumOfSquares;

    public int Period { get; } = period;

    public int WarmUp => Period + 1;

    public bool IsReady => _returns.IsFull;

    public decimal Value
    {
        get
        {
            if (!IsReady)
            {
                return 0m;
            }

            var variance = Math.Max(0m, (_sumOfSquares - (_sum * _sum / Period)) / (Period - 1));
            return DecimalMath.Sqrt(variance) * _annualisation;
        }
    }

    public void Update(decimal input)
    {
        if (_hasPrevious && _previous > 0m && input > 0m)
        {
            var logReturn = (decimal)Math.Log((double)(input / _previous));
            _sum += logReturn;
            _sumOfSquares += logReturn * logReturn;
            if (_returns.Add(logReturn, out var evicted))
            {
                _sum -= evicted;
                _sumOfSquares -= evicted * evicted;
            }
        }

        _hasPrevious = true;
        _previous = input;
    }

    public void Reset()
    {
        _returns.Clear();
        _hasPrevious = false;
        _previous = _sum = _sumOfSquares = 0m;
    }
}
