using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using StockGod.Api.Apis;

namespace StockGod.Api.Portfolios;

public sealed class PortfolioReadCacheOptions
{
    public const string SectionName = "Api:PortfolioReadCache";

    /// <summary>Off: every portfolio GET reads PostgreSQL.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Most answers kept; when full, answers are not stored (the GET still answers, from the database).</summary>
    public int MaxEntries { get; set; } = 10_000;

    /// <summary>Backstop: an answer older than this is read again even if no invalidation reached this replica.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// The portfolio GET's answers, kept in process and invalidated by PostgreSQL's change notifications
/// (<see cref="PortfolioChangeListener"/>) and by the owner's own unsafe requests (<see cref="InvalidateUser"/>).
/// Used only while the listener is listening: otherwise nothing is read or stored, so an outage of the listener never
/// serves an answer that a missed notification should have removed.
/// <para>
/// Two counters keep a read from storing an answer older than an invalidation: a global invalidation sequence
/// (a store is refused, or undone, when any invalidation happened since the read began) and a per-user write
/// generation stored in each entry (an entry built before the user's latest unsafe request started or finished is a
/// miss). Both are O(1) per request.
/// </para>
/// </summary>
public sealed class PortfolioReadCache
{
    public const string MeterName = "StockGod.Api";

    // Per-user write generations, striped by user id: bounded and allocation-free; a collision only costs a miss.
    private const int WriteGenerationStripes = 4096;

    private readonly ConcurrentDictionary<Guid, Entry> _entries = new();
    private readonly long[] _writeGenerations = new long[WriteGenerationStripes];
    private readonly TimeProvider _time;
    private readonly int _maxEntries;
    private readonly TimeSpan _maxAge;
    private readonly Counter<long>? _hits;
    private readonly Counter<long>? _misses;
    private long _invalidations;
    private volatile bool _listening;

    public PortfolioReadCache(TimeProvider time, IOptions<PortfolioReadCacheOptions> options, IMeterFactory? meterFactory = null)
    {
        _time = time;
        _maxEntries = options.Value.MaxEntries;
        _maxAge = options.Value.MaxAge;
        if (meterFactory is not null)
        {
            var meter = meterFactory.Create(MeterName);
            _hits = meter.CreateCounter<long>("stockgod.api.portfolio_cache.hits", "{request}", "Portfolio GETs answered from the read cache.");
            _misses = meter.CreateCounter<long>("stockgod.api.portfolio_cache.misses", "{request}", "Portfolio GETs that read PostgreSQL.");
        }
    }

    /// <summary>The state a read starts from, taken before it reads the database.</summary>
    public readonly record struct ReadTicket(long Invalidations, long WriteGeneration);

    /// <summary>True while PostgreSQL's notifications reach this replica: only then is the cache read or filled.</summary>
    public bool IsListening => _listening;

    public int Count => _entries.Count;

    public bool TryGet(Guid portfolioId, Guid userId, DateOnly tradingDate, [NotNullWhen(true)] out PortfolioResponse? response)
    {
        if (_listening && _entries.TryGetValue(portfolioId, out var entry) && entry.OwnerUserId == userId)
        {
            if (entry.TradingDate == tradingDate
                && entry.WriteGeneration == Volatile.Read(ref WriteGenerationOf(userId))
                && _time.GetUtcNow() - entry.StoredAt < _maxAge)
            {
                _hits?.Add(1);
                response = entry.Response;
                return true;
            }

            // Outdated for its owner: this request reads it again (another user's miss leaves the owner's entry alone).
            _entries.TryRemove(KeyValuePair.Create(portfolioId, entry));
        }

        _misses?.Add(1);
        response = null;
        return false;
    }

    public ReadTicket BeginRead(Guid userId) => new(Interlocked.Read(ref _invalidations), Volatile.Read(ref WriteGenerationOf(userId)));

    /// <summary>
    /// Keeps <paramref name="response"/> (never to be mutated again) unless an invalidation happened since
    /// <paramref name="ticket"/> was taken: the read may have seen the database before that change committed.
    /// </summary>
    public bool TryStore(Guid portfolioId, Guid userId, DateOnly tradingDate, PortfolioResponse response, ReadTicket ticket)
    {
        if (!IsCurrent(ticket))
        {
            return false;
        }

        if (_entries.Count >= _maxEntries && !_entries.ContainsKey(portfolioId))
        {
            var now = _time.GetUtcNow();
            foreach (var (key, old) in _entries)
            {
                if (now - old.StoredAt >= _maxAge)
                {
                    _entries.TryRemove(KeyValuePair.Create(key, old));
                }
            }

            if (_entries.Count >= _maxEntries)
            {
                return false;
            }
        }

        var entry = new Entry(userId, tradingDate, ticket.WriteGeneration, _time.GetUtcNow(), response);
        _entries[portfolioId] = entry;
        // An invalidation counted between the check above and this store removed nothing yet: undo the store. One
        // counted after this check runs its removal after the store, so it removes the entry itself.
        if (!IsCurrent(ticket))
        {
            _entries.TryRemove(KeyValuePair.Create(portfolioId, entry));
            return false;
        }

        return true;
    }

    /// <summary>The portfolio changed (its notification arrived).</summary>
    public void Invalidate(Guid portfolioId)
    {
        Interlocked.Increment(ref _invalidations);
        _entries.TryRemove(portfolioId, out _);
    }

    /// <summary>Any portfolio may have changed (a TRUNCATE, or notifications were possibly missed).</summary>
    public void InvalidateAll()
    {
        Interlocked.Increment(ref _invalidations);
        _entries.Clear();
    }

    /// <summary>
    /// The user's unsafe request starts or finishes: their entries built before are misses from now on, so their own
    /// writes are visible to their next GET on this replica even before PostgreSQL's notification arrives.
    /// </summary>
    public void InvalidateUser(Guid userId) => Interlocked.Increment(ref WriteGenerationOf(userId));

    /// <summary>The listener's LISTEN is in place: what was kept before (and any read begun before) may have missed changes.</summary>
    public void StartListening()
    {
        InvalidateAll();
        _listening = true;
    }

    /// <summary>The listener lost its connection: notifications may be missed from now on, so bypass until it is back.</summary>
    public void StopListening()
    {
        _listening = false;
        InvalidateAll();
    }

    private bool IsCurrent(ReadTicket ticket) => _listening && Interlocked.Read(ref _invalidations) == ticket.Invalidations;

    private ref long WriteGenerationOf(Guid userId) => ref _writeGenerations[userId.GetHashCode() & (WriteGenerationStripes - 1)];

    private sealed record Entry(Guid OwnerUserId, DateOnly TradingDate, long WriteGeneration, DateTimeOffset StoredAt, PortfolioResponse Response);
}
