namespace StockGod.Trading.Indicators;

/// <summary>The last <c>capacity</c> values in a ring buffer; adding to a full window evicts the oldest.</summary>
internal sealed class RollingWindow<T>(int capacity)
{
    private readonly T[] _items = new T[capacity];
    private int _next;

    public int Count { get; private set; }

    public bool IsFull => Count == _items.Length;

    /// <summary>The value <paramref name="back"/> steps before the newest (0 is the newest).</summary>
    public T this[int back] => _items[(_next - 1 - back + (2 * _items.Length)) % _items.Length];

    /// <summary>Adds a value and returns the one it evicted, if the window was full.</summary>
    public bool Add(T value, out T evicted)
    {
        var wasFull = IsFull;
        evicted = _items[_next];
        _items[_next] = value;
        _next = (_next + 1) % _items.Length;
        Count = Math.Min(Count + 1, _items.Length);
        return wasFull;
    }

    public void Clear()
    {
        Array.Clear(_items);
        _next = 0;
        Count = 0;
    }
}
