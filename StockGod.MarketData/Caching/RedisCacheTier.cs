using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace StockGod.MarketData.Caching;

/// <summary>
/// The shared second tier. Reads are one MGET per batch; writes are fire-and-forget. When Redis fails the tier
/// steps aside for <see cref="MarketDataCacheOptions.RedisRetryAfter"/> (answers come from memory and the provider)
/// and tries again afterwards, so recovery needs nobody.
/// </summary>
public sealed partial class RedisCacheTier(
    IConnectionMultiplexer redis, IOptions<MarketDataCacheOptions> options, TimeProvider time, ILogger<RedisCacheTier> logger)
{
    private readonly MarketDataCacheOptions _options = options.Value;
    private long _retryAtTicks;

    /// <summary>False while Redis is disconnected or resting after a failure.</summary>
    public bool IsAvailable => redis.IsConnected && time.GetUtcNow().UtcTicks >= Interlocked.Read(ref _retryAtTicks);

    public string LastError { get; private set; } = string.Empty;

    public RedisKey Key(string key) => _options.RedisKeyPrefix + key;

    /// <summary>The values of the keys (null where absent), or null when Redis could not be asked.</summary>
    public async Task<RedisValue[]?> GetManyAsync(RedisKey[] keys)
    {
        if (!IsAvailable)
        {
            return null;
        }

        try
        {
            return await redis.GetDatabase().StringGetAsync(keys);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Fail(ex);
            return null;
        }
    }

    public void SetMany(IReadOnlyList<KeyValuePair<RedisKey, RedisValue>> entries, TimeSpan expiry)
    {
        if (entries.Count == 0 || !IsAvailable)
        {
            return;
        }

        try
        {
            var batch = redis.GetDatabase().CreateBatch();
            foreach (var (key, value) in entries)
            {
                _ = batch.StringSetAsync(key, value, expiry, flags: CommandFlags.FireAndForget);
            }

            batch.Execute();
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Fail(ex);
        }
    }

    private void Fail(Exception ex)
    {
        Interlocked.Exchange(ref _retryAtTicks, (time.GetUtcNow() + _options.RedisRetryAfter).UtcTicks);
        LastError = ex.Message;
        LogRedisFailed(logger, _options.RedisRetryAfter.TotalSeconds, ex);
    }

    [LoggerMessage(LogLevel.Warning, "Redis cache tier failed; serving from memory and the provider, retrying Redis in {Seconds} s")]
    private static partial void LogRedisFailed(ILogger logger, double seconds, Exception exception);
}
