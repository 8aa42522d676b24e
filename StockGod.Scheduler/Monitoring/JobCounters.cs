using System.Collections.Concurrent;
using System.Text.Json;

namespace StockGod.Scheduler.Monitoring;

/// <summary>
/// What one run did (portfolios processed, orders placed, alerts triggered...), counted as it goes so a failed run
/// still reports how far it got. Stored as the execution's metadata and exported as metrics.
/// </summary>
public sealed class JobCounters
{
    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);

    public void Add(string name, long amount = 1) => _counts.AddOrUpdate(name, amount, (_, current) => current + amount);

    public long this[string name] => _counts.GetValueOrDefault(name);

    public IReadOnlyDictionary<string, long> Snapshot() =>
        new SortedDictionary<string, long>(_counts, StringComparer.Ordinal);

    public JsonDocument ToJson() => JsonSerializer.SerializeToDocument(Snapshot());
}
