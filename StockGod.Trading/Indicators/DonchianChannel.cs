namespace StockGod.Trading.Indicators;

public readonly record struct DonchianValue(decimal Upper, decimal Lower, decimal Middle);

/// <summary>
/// Highest high and lowest low of the last <c>period</c> bars (middle = their mean). Monotonic queues keep each
/// update amortised O(1) without allocating.
/// </summary>
public sealed class DonchianChannel(int period = 20) : IIndicator<Bar, DonchianValue>
{
    private readonly MonotonicQueue _highs = new(DecimalMath.RequirePeriod(period), keepLargest: true);
    private readonly MonotonicQueue _lows = new(period, keepLargest: false);
    private long _count;

    public int Period { get; } = period;

    public int WarmUp => Period;

    public bool IsReady => _count >= Period;

    public DonchianValue Value => IsReady ? new DonchianValue(_highs.Best, _lows.Best, (_highs.Best + _lows.Best) / 2m) : default;

    public void Update(Bar input)
    {
        _highs.Push(_count, input.High);
        _lows.Push(_count, input.Low);
        _count++;
    }

    public void Reset()
    {
        _highs.Clear();
        _lows.Clear();
        _count = 0;
    }

    /// <summary>The extreme of a sliding window: a ring of candidates, best at the front, each better than those after it.</summary>
    private sealed class MonotonicQueue(int window, bool keepLargest)
    {
        private readonly long[] _indexes = new long[window];
        private readonly decimal[] _values = new decimal[window];
        private int _head;
        private int _count;

        public decimal Best => _values[_head];

        public void Push(long index, decimal value)
        {
            // Older candidates no better than the new value can never be the extreme again.
            while (_count > 0)
            {
                var last = _values[(_head + _count - 1) % window];
                if (keepLargest ? last > value : last < value)
                {
                    break;
                }

                _count--;
            }

            if (_count > 0 && _indexes[_head] <= index - window)
            {
                _head = (_head + 1) % window;
                _count--;
            }

            var tail = (_head + _count) % window;
            _indexes[tail] = index;
            _values[tail] = value;
            _count++;
        }

        public void Clear() => _head = _count = 0;
    }
}
