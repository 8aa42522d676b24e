using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Caching.Memory;
using StackExchange.Redis;
using StockGod.MarketData.Providers;

namespace StockGod.MarketData.Caching;

/// <summary>A cached value and when it was fetched from the provider. <see cref="Found"/> is false when the provider did not know the key.</summary>
public sealed record CacheEntry<T>(T? Value, bool Found, DateTimeOffset FetchedAt);

/// <summary>A value as served: fresh, or stale because the provider failed.</summary>
public readonly record struct CachedValue<T>(T? Value, bool Found, DateTimeOffset FetchedAt, bool Stale);

/// <summary>How long an entry is fresh and how long it is kept for stale fallback.</summary>
public readonly record struct CachePolicy(TimeSpan FreshFor, TimeSpan KeepFor);

/// <summary>
/// Memory (L1) in front of Redis (L2) in front of the provider, for batches of keys:
/// fresh L1 entries are served as they are; the rest are read from Redis in one MGET; what is still missing is
/// fetched from the provider in one call, shared with every concurrent request that misses the same keys
/// (single flight). When the provider fails, the last known values are served marked stale.
/// </summary>
public sealed class TieredCache<T>(
    string kind,
    long memoryEntryLimit,
    RedisCacheTier redis,
    JsonTypeInfo<CacheEntry<T>> jsonType,
    TimeProvider time,
    MarketDataMetrics metrics) : IDisposable
{
    private readonly MemoryCache _memory = new(new MemoryCacheOptions { SizeLimit = memoryEntryLimit });
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
            if (_memory.TryGetValue(key, out CacheEntry<T>? entry) && entry is not null)
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
                if (_memory.TryGetValue(key, out CacheEntry<T>? landed) && landed is not null && now - landed.FetchedAt < policyOf(key).FreshFor)
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
                $"The market data provider is unavailable and nothing is cached for {string.Join(", ", unavailable)}.", failure!);
        }

        return results;
    }

    /// <summary>Drops keys from memory (Redis keeps them). For tests and operators.</summary>
    public void Forget(IEnumerable<string> keys)
    {
        foreach (var key in keys)
        {
            _memory.Remove(key);
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

    public void Dispose() => _memory.Dispose();

    private RedisKey RedisKey(string key) => redis.Key($"{kind}:{key}");

    private void Remember(string key, CacheEntry<T> entry, CachePolicy policy) =>
        _memory.Set(key, entry, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = policy.KeepFor, Size = 1 });

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
