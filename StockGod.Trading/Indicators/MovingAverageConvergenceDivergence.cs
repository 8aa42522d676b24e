namespace StockGod.Trading.Indicators;

public readonly record struct MacdValue(decimal Macd, decimal Signal, decimal Histogram);

/// <summary>
/// MACD line = EMA(fast) − EMA(slow); signal = EMA(signal) of the MACD line, starting once the slow EMA is ready;
/// histogram = MACD − signal. Ready after slow + signal − 1 inputs (34 for 12/26/9).
/// </summary>
public sealed class MovingAverageConvergenceDivergence : IIndicator<decimal, MacdValue>
{
    private readonly ExponentialMovingAverage _fast;
    private readonly ExponentialMovingAverage _slow;
    private readonly ExponentialMovingAverage _signal;

    public MovingAverageConvergenceDivergence(int fastPeriod = 12, int slowPeriod = 26, int signalPeriod = 9)
    {
        if (fastPeriod >= slowPeriod)
        {
            throw new ArgumentException("fastPeriod must be less than slowPeriod.", nameof(fastPeriod));
        }

        _fast = new ExponentialMovingAverage(fastPeriod);
        _slow = new ExponentialMovingAverage(slowPeriod);
        _signal = new ExponentialMovingAverage(signalPeriod);
    }

    public int WarmUp => _slow.Period + _signal.Period - 1;

    public bool IsReady => _signal.IsReady;

    public decimal MacdLine => _slow.IsReady ? _fast.Value - _slow.Value : 0m;

    public MacdValue Value => IsReady ? new MacdValue(MacdLine, _signal.Value, MacdLine - _signal.Value) : default;

    public void Update(decimal input)
    {
        _fast.Update(input);
        _slow.Update(input);
        if (_slow.IsReady)
        {
            _signal.Update(MacdLine);
        }
    }

    public void Reset()
    {
        _fast.Reset();
        _slow.Reset();
        _signal.Reset();
    }
}
