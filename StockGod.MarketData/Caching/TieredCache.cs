using System.Collections.Concurrent;
using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Caching.Hybrid;
using StackExchange.Redis;
using StockGod.MarketData.Providers;

namespace StockGod.MarketData.Caching;

/// <summary>A cached value and when it was fetched from the provider. <see cref="Found"/> is false when the provider did not know the key.</summary>
/// <remarks>Immutable, and marked so: HybridCache then keeps the instance itself instead of a serialized copy per read.</remarks>
[ImmutableObject(true)]
public sealed record CacheEntry<T>(T? Value, bool Found, DateTimeOffset FetchedAt);

/// <summary>A value as served: fresh, or stale because the provider failed.</summary>
public readonly record struct CachedValue<T>(T? Value, bool Found, DateTimeOffset FetchedAt, bool Stale);

/// <summary>How long an entry is fresh and how long it is kept for stale fallback.</summary>
public readonly record struct CachePolicy(TimeSpan FreshFor, TimeSpan KeepFor);

/// <summary>
/// Memory (L1, HybridCache's in-process level) in front of Redis (L2) in front of the provider, for batches of keys:
/// fresh L1 entries are served as they are; the rest are read from Redis in one MGET; what is still missing is
/// fetched from the provider in one call, shared with every concurrent request that misses the same keys
/// (single flight). When the provider fails, the last known values are served marked stale.
/// </summary>
/// <remarks>
/// HybridCache is used for its in-process level only. Its own second level and stampede protection work key by key
/// (IDistributedCache has no MGET, GetOrCreateAsync fetches one key per factory call) and it has no stale
/// fallback, so Redis, batch single flight and stale serving stay here. L1 entries live as long as an entry may be
/// served stale (<see cref="CachePolicy.KeepFor"/>); freshness is decided here from <see cref="CacheEntry{T}.FetchedAt"/>.
/// </remarks>
public sealed class TieredCache<T>(
    string kind,
    HybridCache memory,
    RedisCacheTier redis,
    JsonTypeInfo<CacheEntry<T>> jsonType,
    TimeProvider time,
    MarketDataMetrics metrics)
{
    private const HybridCacheEntryFlags MemoryOnly = HybridCacheEntryFlags.DisableDistributedCache | HybridCacheEntryFlags.DisableCompression;

    /// <summary>HybridCache has no TryGet: a peek is a GetOrCreate whose factory makes nothing and whose result is written nowhere.</summary>
    private static readonly HybridCacheEntryOptions PeekOptions = new() { Flags = MemoryOnly | HybridCacheEntryFlags.DisableLocalCacheWrite };

    private readonly string _keyPrefix = kind + ":";
    private readonly ConcurrentDictionary<TimeSpan, HybridCacheEntryOptions> _writeOptions = new();
    private readonly Dictionary<string, Task<IReadOnlyDictionary<string, CacheEntry<T>>>> _inFlight = new(StringComparer.Ordinal);

    /// <summary>
    /// Values for the keys. <paramref name="fetch"/> gets the missing keys and returns values for those it knows.
    /// Throws <see cref="MarketDataUnavailableException"/> naming the keys that the provider failed to give and no
    /// cache held.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, CachedValue<T>>> GetManyAsync(
        IReadOnlyList<string> keys,
        Func<string, CachePolicy> policyOf,
        Func<IReadOnlyList<string>, CancellationToken, Task<IReadOnlyDictionary<string, T>>> fetch,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var results = new Dictionary<string, CachedValue<T>>(keys.Count, StringComparer.Ordinal);
        List<string>? missing = null;
        Dictionary<string, CacheEntry<T>>? staleCandidates = null;

        foreach (var key in keys)
        {
            var peek = Peek(key);
            var entry = peek.IsCompletedSuccessfully ? peek.Result : await peek;
            if (entry is not null)
            {
                if (now - entry.FetchedAt < policyOf(key).FreshFor)
                {
                    results[key] = new CachedValue<T>(entry.Value, entry.Found, entry.FetchedAt, Stale: false);
                    continue;
                }

                (staleCandidates ??= new(StringComparer.Ordinal))[key] = entry;
            }

            (missing ??= []).Add(key);
        }

        metrics.Hits("l1", kind, results.Count);
        if (missing is null)
        {
            return results;
        }

        metrics.Misses("l1", kind, missing.Count);
        missing = await ReadRedisAsync(missing, policyOf, now, results, staleCandidates ??= new(StringComparer.Ordinal));
        if (missing.Count == 0)
        {
            return results;
        }

        // Claim the keys nobody is fetching, join the flights of the others. Under one lock, so concurrent requests
        // for the same batch never split it into several upstream calls.
        List<string>? mine = null;
        List<(string Key, Task<IReadOnlyDictionary<string, CacheEntry<T>>> Flight)> joined = [];
        TaskCompletionSource<IReadOnlyDictionary<string, CacheEntry<T>>>? flight = null;
        lock (_inFlight)
        {
            foreach (var key in missing)
            {
                if (PeekNow(key) is { } landed && now - landed.FetchedAt < policyOf(key).FreshFor)
                {
                    results[key] = new CachedValue<T>(landed.Value, landed.Found, landed.FetchedAt, Stale: false);
                }
                else if (_inFlight.TryGetValue(key, out var running))
                {
                    joined.Add((key, running));
                }
                else
                {
                    flight ??= new(TaskCreationOptions.RunContinuationsAsynchronously);
                    _inFlight[key] = flight.Task;
                    (mine ??= []).Add(key);
                }
            }
        }

        if (mine is not null && flight is not null)
        {
            // The flight runs without the caller's token: other requests wait on it too.
            _ = FlyAsync(mine, policyOf, fetch, flight);
            joined.AddRange(mine.Select(key => (key, flight.Task)));
        }

        List<string>? unavailable = null;
        Exception? failure = null;
        foreach (var (key, running) in joined)
        {
            try
            {
                var fetched = await running.WaitAsync(cancellationToken);
                if (fetched.TryGetValue(key, out var entry))
                {
                    results[key] = new CachedValue<T>(entry.Value, entry.Found, entry.FetchedAt, Stale: false);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                failure ??= ex;
                if (staleCandidates.TryGetValue(key, out var last))
                {
                    results[key] = new CachedValue<T>(last.Value, last.Found, last.FetchedAt, Stale: true);
                    metrics.StaleServed(kind, 1);
                }
                else
                {
                    (unavailable ??= []).Add(key);
                }
            }
        }

        if (unavailable is not null)
        {
            throw new MarketDataUnavailableException(
                $"The market data provider is unavailable and nothing is cached for {string.Join(", ", unavailable)}: {failure!.Message}", failure);
        }

        return results;
    }

    /// <summary>Drops keys from memory (Redis keeps them). For tests and operators.</summary>
    public async Task ForgetAsync(IEnumerable<string> keys)
    {
        foreach (var key in keys)
        {
            await memory.RemoveAsync(MemoryKey(key));
        }
    }

    private async Task<List<string>> ReadRedisAsync(
        List<string> missing, Func<string, CachePolicy> policyOf, DateTimeOffset now, Dictionary<string, CachedValue<T>> results, Dictionary<string, CacheEntry<T>> staleCandidates)
    {
        var values = await redis.GetManyAsync([.. missing.Select(RedisKey)]);
        if (values is null)
        {
            return missing;
        }

        var stillMissing = new List<string>();
        for (var i = 0; i < missing.Count; i++)
        {
            var key = missing[i];
            var entry = values[i].IsNull ? null : Deserialize(values[i]);
            if (entry is null)
            {
                stillMissing.Add(key);
                continue;
            }

            var policy = policyOf(key);
            if (now - entry.FetchedAt < policy.FreshFor)
            {
                Remember(key, entry, policy);
                results[key] = new CachedValue<T>(entry.Value, entry.Found, entry.FetchedAt, Stale: false);
                continue;
            }

            if (!staleCandidates.TryGetValue(key, out var known) || known.FetchedAt < entry.FetchedAt)
            {
                staleCandidates[key] = entry;
            }

            stillMissing.Add(key);
        }

        metrics.Hits("l2", kind, missing.Count - stillMissing.Count);
        metrics.Misses("l2", kind, stillMissing.Count);
        return stillMissing;
    }

    private async Task FlyAsync(
        List<string> keys,
        Func<string, CachePolicy> policyOf,
        Func<IReadOnlyList<string>, CancellationToken, Task<IReadOnlyDictionary<string, T>>> fetch,
        TaskCompletionSource<IReadOnlyDictionary<string, CacheEntry<T>>> flight)
    {
        try
        {
            var values = await fetch(keys, CancellationToken.None);
            var fetchedAt = time.GetUtcNow();
            var entries = new Dictionary<string, CacheEntry<T>>(keys.Count, StringComparer.Ordinal);
            var toRedis = new Dictionary<TimeSpan, List<KeyValuePair<RedisKey, RedisValue>>>();
            foreach (var key in keys)
            {
                var policy = policyOf(key);
                var entry = values.TryGetValue(key, out var value)
                    ? new CacheEntry<T>(value, Found: true, fetchedAt)
                    : new CacheEntry<T>(default, Found: false, fetchedAt);
                entries[key] = entry;
                // Memory first, then leave the flight: a late request finds the value instead of flying again.
                Remember(key, entry, policy);
                if (!toRedis.TryGetValue(policy.KeepFor, out var batch))
                {
                    toRedis[policy.KeepFor] = batch = [];
                }

                batch.Add(new(RedisKey(key), JsonSerializer.SerializeToUtf8Bytes(entry, jsonType)));
            }

            foreach (var (keepFor, batch) in toRedis)
            {
                redis.SetMany(batch, keepFor);
            }

            Land(keys, flight);
            flight.SetResult(entries);
        }
        catch (Exception ex)
        {
            Land(keys, flight);
            flight.SetException(ex);
        }
    }

    private void Land(List<string> keys, TaskCompletionSource<IReadOnlyDictionary<string, CacheEntry<T>>> flight)
    {
        lock (_inFlight)
        {
            foreach (var key in keys)
            {
                if (_inFlight.TryGetValue(key, out var running) && running == flight.Task)
                {
                    _inFlight.Remove(key);
                }
            }
        }
    }

    private RedisKey RedisKey(string key) => redis.Key($"{kind}:{key}");

    private string MemoryKey(string key) => _keyPrefix + key;

    private ValueTask<CacheEntry<T>?> Peek(string key) =>
        memory.GetOrCreateAsync(MemoryKey(key), static _ => ValueTask.FromResult<CacheEntry<T>?>(null), PeekOptions);

    /// <summary>
    /// A peek under the single-flight lock, where nothing can be awaited. A hit completes synchronously; a peek that
    /// does not has found nothing in memory yet, so it counts as a miss.
    /// </summary>
    private CacheEntry<T>? PeekNow(string key)
    {
        var peek = Peek(key);
        if (peek.IsCompletedSuccessfully)
        {
            return peek.Result;
        }

        _ = peek.AsTask();
        return null;
    }

    /// <summary>In memory for as long as the entry may be served stale. Synchronous for HybridCache's in-process level.</summary>
    private void Remember(string key, CacheEntry<T> entry, CachePolicy policy)
    {
        var options = _writeOptions.GetOrAdd(policy.KeepFor, static keepFor => new HybridCacheEntryOptions
        {
            Expiration = keepFor,
            LocalCacheExpiration = keepFor,
            Flags = MemoryOnly,
        });
        var write = memory.SetAsync(MemoryKey(key), entry, options);
        if (!write.IsCompletedSuccessfully)
        {
            // Never expected with the distributed level disabled; if it happens, the write still completes on its own.
            _ = write.AsTask();
        }
    }

    private CacheEntry<T>? Deserialize(RedisValue value)
    {
        try
        {
            return JsonSerializer.Deserialize((byte[])value!, jsonType);
        }
        catch (JsonException)
        {
            // An entry written by an incompatible version is a miss, not an error.
            return null;
        }
    }
}
