namespace StockGod.Trading.Indicators;

/// <summary>
/// Wilder's RSI (0–100): the first average gain and loss are simple means over <c>period</c> changes, later ones
/// Wilder-smoothed: (previous × (period − 1) + current) / period. No losses gives 100; no movement at all gives 50.
/// </summary>
public sealed class RelativeStrengthIndex(int period = 14) : IIndicator<decimal, decimal>
{
    private int _changes;
    private bool _hasPrevious;
    private decimal _previous;
    private decimal _averageGain;
    private decimal _averageLoss;

    public int Period { get; } = DecimalMath.RequirePeriod(period);

    public int WarmUp => Period + 1;

    public bool IsReady => _changes >= Period;

    public decimal Value => !IsReady ? 0m
        : _averageLoss == 0m ? (_averageGain == 0m ? 50m : 100m)
        : 100m - (100m / (1m + (_averageGain / _averageLoss)));

    public void Update(decimal input)
    {
        if (!_hasPrevious)
        {
            _hasPrevious = true;
            _previous = input;
            return;
        }

        var change = input - _previous;
        _previous = input;
        var gain = Math.Max(change, 0m);
        var loss = Math.Max(-change, 0m);
        _changes++;
        if (_changes < Period)
        {
            _averageGain += gain;
            _averageLoss += loss;
        }
        else if (_changes == Period)
        {
            _averageGain = (_averageGain + gain) / Period;
            _averageLoss = (_averageLoss + loss) / Period;
        }
        else
        {
            _averageGain = ((_averageGain * (Period - 1)) + gain) / Period;
            _averageLoss = ((_averageLoss * (Period - 1)) + loss) / Period;
        }
    }

    public void Reset()
    {
        _changes = 0;
        _hasPrevious = false;
        _previous = _averageGain = _averageLoss = 0m;
    }
}
