namespace StockGod.Trading.Indicators;

public readonly record struct DonchianValue(decimal Upper, decimal Lower, decimal Middle);

/// <summary>
/// Highest high and lowest low of the last <c>period</c> bars (middle = their mean). Monotonic queues keep each
/// update amortised O(1).
/// </summary>
public sealed class DonchianChannel(int period = 20) : IIndicator<Bar, DonchianValue>
{
    private readonly LinkedList<(long Index, decimal Value)> _highs = new();
    private readonly LinkedList<(long Index, decimal Value)> _lows = new();
    private long _count;

    public int Period { get; } = DecimalMath.RequirePeriod(period);

    public int WarmUp => Period;

    public bool IsReady => _count >= Period;

    public DonchianValue Value => IsReady
        ? new DonchianValue(_highs.First!.Value.Value, _lows.First!.Value.Value, (_highs.First.Value.Value + _lows.First.Value.Value) / 2m)
        : default;

    public void Update(Bar input)
    {
        Push(_highs, input.High, keepLarger: true);
        Push(_lows, input.Low, keepLarger: false);
        _count++;
    }

    public void Reset()
    {
        _highs.Clear();
        _lows.Clear();
        _count = 0;
    }

    private void Push(LinkedList<(long Index, decimal Value)> queue, decimal value, bool keepLarger)
    {
        // Values that can never be the extreme again (older and not better than the new one) leave from the back.
        while (queue.Last is { } last && (keepLarger ? last.Value.Value <= value : last.Value.Value >= value))
        {
            queue.RemoveLast();
        }

        queue.AddLast((_count, value));
        if (queue.First!.Value.Index <= _count - Period)
        {
            queue.RemoveFirst();
        }
    }
}
