namespace StockGod.Trading.Indicators;

/// <summary>
/// Wilder's ATR. True range = max(high − low, |high − previous close|, |low − previous close|) (the first bar has no
/// previous close: high − low). The first ATR is the mean of <c>period</c> true ranges, later ones
/// (previous × (period − 1) + TR) / period.
/// </summary>
public sealed class AverageTrueRange(int period = 14) : IIndicator<Bar, decimal>
{
    private int _count;
    private bool _hasPrevious;
    private decimal _previousClose;
    private decimal _value;

    public int Period { get; } = DecimalMath.RequirePeriod(period);

    public int WarmUp => Period;

    public bool IsReady => _count >= Period;

    public decimal Value => IsReady ? _value : 0m;

    public void Update(Bar input)
    {
        var trueRange = _hasPrevious
            ? Math.Max(input.High - input.Low, Math.Max(Math.Abs(input.High - _previousClose), Math.Abs(input.Low - _previousClose)))
            : input.High - input.Low;
        _hasPrevious = true;
        _previousClose = input.Close;
        _count++;
        if (_count < Period)
        {
            _value += trueRange;
        }
        else if (_count == Period)
        {
            _value = (_value + trueRange) / Period;
        }
        else
        {
            _value = ((_value * (Period - 1)) + trueRange) / Period;
        }
    }

    public void Reset()
    {
        _count = 0;
        _hasPrevious = false;
        _previousClose = _value = 0m;
    }
}
