namespace StockGod.AppHost.Orchestration;

/// <param name="Sequence">Increases by one per line over the buffer's life, so readers can ask for what is new.</param>
public sealed record LogLine(long Sequence, DateTimeOffset Time, string Text);

/// <summary>The last lines a resource wrote (stdout and stderr), kept in a ring of fixed capacity.</summary>
public sealed class LogBuffer(int capacity)
{
    private readonly LogLine[] _lines = new LogLine[capacity];
    private readonly Lock _lock = new();
    private long _next;

    public void Add(string text, DateTimeOffset time)
    {
        lock (_lock)
        {
            _lines[_next % _lines.Length] = new LogLine(_next, time, text);
            _next++;
        }
    }

    /// <summary>The kept lines whose sequence is greater than <paramref name="after"/>, oldest first.</summary>
    public IReadOnlyList<LogLine> Since(long after = -1)
    {
        lock (_lock)
        {
            var first = Math.Max(Math.Max(after + 1, 0), _next - _lines.Length);
            var result = new List<LogLine>((int)Math.Max(0, _next - first));
            for (var sequence = first; sequence < _next; sequence++)
            {
                result.Add(_lines[sequence % _lines.Length]);
            }

            return result;
        }
    }

    public IReadOnlyList<LogLine> Last(int count) => Since(Interlocked.Read(ref _next) - count - 1);
}
